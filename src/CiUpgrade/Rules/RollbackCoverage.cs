using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// What a rollback must be able to return, decided from the plan: every plan image stream the namespace holds, and
/// the DCs whose hook and release env it restores, must be in the backup (a backup without amp-system would leave
/// system-app on the target while the rest goes back). The DCs it waits for are the plan's: those its streams
/// trigger, plus the release and hook DCs.
/// </summary>
public static class RollbackCoverage
{
    /// <summary>Null when the backup covers the namespace, else what it lacks (one clause).</summary>
    public static string? Missing(UpgradePlan plan, IEnumerable<string> clusterStreams, BackupContent backup)
    {
        var present = clusterStreams.ToHashSet(StringComparer.Ordinal);
        var streams = plan.ImageStreams.Select(s => s.Name).Where(s => present.Contains(s) && !backup.Streams.ContainsKey(s)).ToList();
        if (streams.Count > 0)
        {
            return $"the namespace has image stream{(streams.Count > 1 ? "s" : string.Empty)} {string.Join(", ", streams)}, which {(streams.Count > 1 ? "are" : "is")} not in its {BackupValidation.StreamsFile}";
        }

        var dcs = new[] { plan.PreHook?.DeploymentConfig, plan.Release.DeploymentConfig }.OfType<string>().Distinct(StringComparer.Ordinal)
            .Where(d => !backup.DeploymentConfigs.ContainsKey(d)).ToList();
        return dcs.Count > 0 ? $"DeploymentConfig {string.Join(", ", dcs)} is not in its {BackupValidation.DeploymentConfigsFile}" : null;
    }

    /// <summary>The DCs an upgrade by this plan rolls out (and so a rollback waits for).</summary>
    public static IReadOnlySet<string> PlanDeploymentConfigs(UpgradePlan plan) =>
        plan.ImageStreams.SelectMany(s => s.Triggers).Append(plan.Release.DeploymentConfig)
            .Concat(plan.PreHook is { } hook ? [hook.DeploymentConfig] : [])
            .ToHashSet(StringComparer.Ordinal);
}
