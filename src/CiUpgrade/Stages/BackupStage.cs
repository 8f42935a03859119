using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Saves the namespace into a new directory `&lt;backup-dir&gt;/&lt;namespace&gt;/&lt;time&gt;/` (see <see cref="BackupWriter"/>):
/// every kind the guide's project backup lists, one re-appliable file per kind (<see cref="ProjectExport"/>; the
/// image streams and DCs in them are what rollback restores), with `--databases` a dump of each database
/// (<see cref="DatabaseBackup"/>) and an archive of system-storage (<see cref="StorageBackup"/>), and a manifest (time, namespace, release, the image every DC container runs, a
/// sha256 per file, what was skipped and why, and whether the namespace was still pre-upgrade, decided from the
/// cluster by <see cref="PreUpgradeCheck"/>). Every run writes a new backup, so a rerun in the middle of the
/// upgrade can never replace the one taken before it (review D2). A failed dump still keeps the rest of the
/// backup, then fails the stage (exit 5).
/// </summary>
public sealed class BackupStage(StageContext context)
{
    private const string Stage = "backup";
    public const string ManifestFile = BackupValidation.ManifestFile;

    public async Task<ExitCode> RunAsync(string backupDir, string? runId, bool databases, CancellationToken ct)
    {
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        var hookDc = context.Plan.PreHook is { } hook ? snapshot.DeploymentConfigs.GetValueOrDefault(hook.DeploymentConfig) : null;
        var notPreUpgrade = PreUpgradeCheck.WhyNot(context.Plan, snapshot.Streams.ToDictionary(s => s.Key, s => Tags(s.Value), StringComparer.Ordinal),
            snapshot.Release, snapshot.Oracle, hookDc is null ? null : PreHookCommand.Current(hookDc));
        var started = context.Time.GetUtcNow();
        string final;
        IReadOnlyList<string> failures = [];
        try
        {
            await using var writer = BackupWriter.Begin(backupDir, context.Namespace, started);
            var (saved, skipped) = await new ProjectExport(context, Stage).SaveAsync(writer, ct);
            int Count(string resource) => saved.OfType<JsonObject>().Where(k => BackupValidation.Str(k["resource"]) == resource).Select(k => (int?)k["count"]).FirstOrDefault() ?? 0;
            var manifest = new JsonObject
            {
                ["format"] = 2,
                ["time"] = started.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["namespace"] = context.Namespace,
                ["server"] = context.Client.Server,
                ["release"] = snapshot.Release,
                ["source"] = context.Plan.Source,
                ["target"] = context.Plan.Target,
                ["oracle"] = snapshot.Oracle,
                ["preUpgrade"] = notPreUpgrade is null,
                ["imageStreams"] = Count(ImageStream.Plural),
                ["deploymentConfigs"] = Count(DeploymentConfig.Plural),
                ["images"] = Baseline.ImagesOf(snapshot.DeploymentConfigs.Values),
                ["kinds"] = saved,
                ["skipped"] = skipped,
            };
            if (notPreUpgrade is not null)
            {
                manifest["notPreUpgrade"] = notPreUpgrade;
            }

            if (runId is not null)
            {
                // Which run took it (Tekton: the PipelineRun's uid): rollback --run-id restores only that run's backup.
                manifest["runId"] = runId;
            }

            if (databases)
            {
                (var dumps, var failed) = await new DatabaseBackup(context, Stage).DumpAsync(writer, snapshot, ct);
                manifest["databases"] = dumps;
                var (storage, storageFailure) = await new StorageBackup(context, Stage).SaveAsync(writer, snapshot, ct);
                manifest["storage"] = storage;
                failures = storageFailure is null ? failed : [.. failed, storageFailure];
            }

            final = await writer.CommitAsync(manifest, ct);
            var objects = saved.OfType<JsonObject>().Sum(k => (int?)k["count"] ?? 0);
            context.Reporter.Event(Stage, "done", $"saved {objects} objects of {saved.Count} kinds ({Count(ImageStream.Plural)} image streams, {Count(DeploymentConfig.Plural)} DeploymentConfigs) of {context.Namespace} (release {snapshot.Release}) to {final}{(skipped.Count > 0 ? $"; skipped {skipped.Count} kinds (see manifest.json)" : string.Empty)}");
            context.Reporter.Event(Stage, notPreUpgrade is null ? "pre-upgrade" : "not-pre-upgrade", notPreUpgrade is null
                ? "this is a pre-upgrade backup: rollback restores it"
                : $"not a pre-upgrade backup ({notPreUpgrade}): rollback keeps using the newest pre-upgrade backup under {backupDir}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the backup to {backupDir}: {e.Message} (check --backup-dir)");
        }

        if (failures.Count > 0)
        {
            throw new UpgradeException(ExitCode.RolloutFailed,
                $"{(failures.Count == 1 ? "a dump" : "dumps")} failed: {string.Join("; ", failures)}. The rest of the backup is in {final}; fix the cause and rerun backup (it writes a new backup)");
        }

        return ExitCode.Success;
    }

    internal static IReadOnlyList<SavedTag> Tags(ImageStream stream) =>
        (stream.Spec.Tags ?? []).Select(t => new SavedTag(t.Name, t.From?.Kind, t.From?.Name)).ToList();
}
