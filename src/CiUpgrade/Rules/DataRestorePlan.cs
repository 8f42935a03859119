namespace CiUpgrade.Rules;

/// <summary>
/// What a data restore touches, in the order of Red Hat's documented restore of a template install
/// (../shared/docs/restore.md §2 and §5): the writers stopped first (system-app, system-sidekiq, system-sphinx write
/// the system database; backend-worker and backend-cron backend-redis; zync and zync-que zync-database), then the
/// system database, system-storage, zync-database, backend-redis, system-redis; then backend-worker and system-app
/// rolled out (system-app's post hook rewrites System's config into backend-redis) and the zync domains re-synced.
/// </summary>
public static class DataRestorePlan
{
    public static readonly IReadOnlyList<string> Writers = ["system-app", "system-sidekiq", "system-sphinx", "backend-worker", "backend-cron", "zync", "zync-que"];

    /// <summary>Rolled out once the data is back, in this order (§2 step 7).</summary>
    public static readonly IReadOnlyList<string> RolledOutAfter = ["backend-worker", "system-app"];

    public static readonly IReadOnlyList<string> Redis = ["backend-redis", "system-redis"];

    /// <summary>Where `zync:resync:domains` runs (the operator's restore), else any system-app pod (Red Hat's restore doc).</summary>
    public static readonly IReadOnlyList<string> ResyncIn = ["system-sidekiq", "system-app"];

    public static readonly IReadOnlyList<string> Resync = DatabaseDump.Shell("bundle exec rake zync:resync:domains");

    /// <summary>The data sets a namespace with these DCs holds, in restore order (system-storage when system-app mounts it).</summary>
    public static IReadOnlyList<string> DataSets(IReadOnlySet<string> deploymentConfigs, bool storage) =>
    [
        .. new[] { "system-mysql", "system-postgresql" }.Where(deploymentConfigs.Contains),
        .. storage ? [StorageArchive.Claim] : Array.Empty<string>(),
        .. new[] { "zync-database", "backend-redis", "system-redis" }.Where(deploymentConfigs.Contains),
    ];

    /// <summary>The restore's problems with a backup's data sets (files are checked by the stage): one line each, empty when usable.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<string> needed, BackupContent backup)
    {
        var problems = new List<string>();
        foreach (var name in needed)
        {
            if (!backup.Data.TryGetValue(name, out var data))
            {
                problems.Add($"it has no {(name == StorageArchive.Claim ? "archive" : "dump")} of {name} (take backups with --databases)");
            }
            else if (data.Missing is { } missing)
            {
                problems.Add($"{name}: {missing}");
            }
        }

        return problems;
    }
}
