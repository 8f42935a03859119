using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Saves the namespace into a new directory `&lt;backup-dir&gt;/&lt;namespace&gt;/&lt;time&gt;/` (see <see cref="BackupWriter"/>):
/// the image streams and DeploymentConfigs exactly as the server returns them (what rollback restores), and a
/// manifest (time, namespace, release, the image every DC container runs, a sha256 per file, and whether the
/// namespace was still pre-upgrade, decided from the cluster by <see cref="PreUpgradeCheck"/>). Every run writes a
/// new backup, so a rerun in the middle of the upgrade can never replace the one taken before it (review D2).
/// </summary>
public sealed class BackupStage(StageContext context)
{
    private const string Stage = "backup";
    public const string ManifestFile = BackupValidation.ManifestFile;

    public async Task<ExitCode> RunAsync(string backupDir, string? runId, CancellationToken ct)
    {
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        var notPreUpgrade = PreUpgradeCheck.WhyNot(context.Plan, snapshot.Streams.ToDictionary(s => s.Key, s => Tags(s.Value), StringComparer.Ordinal),
            snapshot.Release, snapshot.Oracle);
        var started = context.Time.GetUtcNow();
        try
        {
            await using var writer = BackupWriter.Begin(backupDir, context.Namespace, started);
            var streams = await ListAsync(ImageStream.Group, ImageStream.Version, ImageStream.Plural, "ImageStream", ct);
            var dcs = await ListAsync(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, "DeploymentConfig", ct);
            await writer.WriteJsonAsync(BackupValidation.StreamsFile, streams, new JsonObject { ["kind"] = "ImageStream", ["count"] = streams.Count }, ct);
            await writer.WriteJsonAsync(BackupValidation.DeploymentConfigsFile, dcs, new JsonObject { ["kind"] = "DeploymentConfig", ["count"] = dcs.Count }, ct);
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
                ["imageStreams"] = streams.Count,
                ["deploymentConfigs"] = dcs.Count,
                ["images"] = Baseline.ImagesOf(snapshot.DeploymentConfigs.Values),
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

            var final = await writer.CommitAsync(manifest, ct);
            context.Reporter.Event(Stage, "done", $"saved {streams.Count} image streams and {dcs.Count} DeploymentConfigs of {context.Namespace} (release {snapshot.Release}) to {final}");
            context.Reporter.Event(Stage, notPreUpgrade is null ? "pre-upgrade" : "not-pre-upgrade", notPreUpgrade is null
                ? "this is a pre-upgrade backup: rollback restores it"
                : $"not a pre-upgrade backup ({notPreUpgrade}): rollback keeps using the newest pre-upgrade backup under {backupDir}");
            return ExitCode.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the backup to {backupDir}: {e.Message} (check --backup-dir)");
        }
    }

    internal static IReadOnlyList<SavedTag> Tags(ImageStream stream) =>
        (stream.Spec.Tags ?? []).Select(t => new SavedTag(t.Name, t.From?.Kind, t.From?.Name)).ToList();

    /// <summary>Every object of a kind, each with its kind and apiVersion (a LIST's items carry neither on a real server).</summary>
    private async Task<JsonArray> ListAsync(string group, string version, string plural, string kind, CancellationToken ct)
    {
        var items = await context.Client.ListRawAsync(group, version, plural, ct);
        foreach (var item in items.OfType<JsonObject>())
        {
            WithKind(item, kind, group.Length == 0 ? version : $"{group}/{version}");
        }

        return items;
    }

    internal static void WithKind(JsonObject item, string kind, string apiVersion)
    {
        item.Remove("kind");
        item.Remove("apiVersion");
        item.Insert(0, "apiVersion", apiVersion);
        item.Insert(0, "kind", kind);
    }
}
