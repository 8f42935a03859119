using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// Saves the image streams and DeploymentConfigs exactly as the server returns them, plus a manifest
/// (time, namespace, release, the digest each DC container runs). Files are written to a temporary name and
/// moved into place, so a crash never leaves a half-written backup; a backup of another release or namespace is
/// refused unless --force, and the pre-upgrade backup is kept when the stage reruns after the upgrade.
/// </summary>
public sealed class BackupStage(StageContext context)
{
    private const string Stage = "backup";
    public const string ManifestFile = "manifest.json";

    public async Task<ExitCode> RunAsync(string backupDir, bool force, CancellationToken ct)
    {
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        var manifestPath = Path.Combine(backupDir, ManifestFile);
        if (File.Exists(manifestPath) && !force)
        {
            var existing = ReadManifest(manifestPath);
            var existingRelease = (string?)existing?["release"];
            var existingNamespace = (string?)existing?["namespace"];
            if (existingNamespace == context.Namespace && existingRelease == context.Plan.Source && snapshot.Release == context.Plan.Target)
            {
                // A rerun after the upgrade: the backup from before it is the one worth keeping.
                context.Reporter.Event(Stage, "kept", $"{backupDir} holds the backup taken before the upgrade (release {existingRelease}); keeping it");
                return ExitCode.Success;
            }

            if (existingRelease != snapshot.Release || existingNamespace != context.Namespace)
            {
                throw new UpgradeException(ExitCode.WrongClusterState,
                    $"{backupDir} already holds a backup of namespace {existingNamespace} at release {existingRelease}; the cluster is at {snapshot.Release}. Use another --backup-dir, or --force to overwrite it");
            }
        }

        try
        {
            Directory.CreateDirectory(backupDir);
            var streams = await context.Client.ListRawAsync(ImageStream.Group, ImageStream.Version, ImageStream.Plural, ct);
            var dcs = await context.Client.ListRawAsync(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, ct);
            WriteAtomically(Path.Combine(backupDir, "imagestreams.json"), streams);
            WriteAtomically(Path.Combine(backupDir, "deploymentconfigs.json"), dcs);
            var digests = new JsonObject();
            foreach (var dc in snapshot.DeploymentConfigs.Values.OrderBy(d => d.Metadata.Name, StringComparer.Ordinal))
            {
                var spec = dc.Spec.Template?.Spec;
                digests[dc.Metadata.Name] = new JsonObject((spec?.InitContainers ?? []).Concat(spec?.Containers ?? [])
                    .Select(c => KeyValuePair.Create(c.Name, (JsonNode?)c.Image)));
            }

            WriteAtomically(manifestPath, new JsonObject
            {
                ["time"] = context.Time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["namespace"] = context.Namespace,
                ["server"] = context.Client.Server,
                ["release"] = snapshot.Release,
                ["imageStreams"] = streams.Count,
                ["deploymentConfigs"] = dcs.Count,
                ["images"] = digests,
            });
            context.Reporter.Event(Stage, "done", $"saved {streams.Count} image streams and {dcs.Count} DeploymentConfigs of {context.Namespace} (release {snapshot.Release}) to {backupDir}");
            return ExitCode.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the backup to {backupDir}: {e.Message} (check --backup-dir)");
        }
    }

    private static JsonObject? ReadManifest(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new UpgradeException(ExitCode.BadInput, $"{path} is not a backup manifest ({e.Message}): remove it or use another --backup-dir");
        }
    }

    private static void WriteAtomically(string path, JsonNode content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, path, overwrite: true);
    }
}
