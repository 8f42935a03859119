using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// `backup --databases` also saves `system-storage` (<see cref="StorageArchive"/>): a tar stream of the volume's mount
/// point, from a running system-app pod through pods/exec as `oc rsync` would read it, gzip-compressed as it streams
/// (<see cref="ExecDump"/>), with its size and sha256 in the manifest's `storage`.
/// </summary>
public sealed class StorageBackup(StageContext context, string stage)
{
    /// <summary>The manifest's `storage` object and the failure (null when it succeeded or there is nothing to save).</summary>
    public async Task<(JsonObject Storage, string? Failure)> SaveAsync(BackupWriter writer, InstallSnapshot snapshot, CancellationToken ct)
    {
        var storage = new JsonObject();
        if (!snapshot.DeploymentConfigs.TryGetValue(StorageArchive.DeploymentConfig, out var app)
            || StorageArchive.MountIn(app.Spec.Template?.Spec) is not { } mount)
        {
            var why = $"{StorageArchive.DeploymentConfig} mounts no PersistentVolumeClaim {StorageArchive.Claim}: nothing to save";
            storage[StorageArchive.Claim] = new JsonObject { ["skipped"] = why };
            context.Reporter.Event(stage, "skipped", why);
            return (storage, null);
        }

        try
        {
            var pod = ExecDump.Pick(await context.Client.ListPodsAsync($"deploymentconfig={StorageArchive.DeploymentConfig}", ct), StorageArchive.DeploymentConfig, app.Status?.LatestVersion)
                ?? throw new ExecDumpException($"{StorageArchive.Claim}: no running and ready {StorageArchive.DeploymentConfig} pod to read it from (scale it up, or run backup without --databases)");
            var entry = await new ExecDump(context, stage).RunAsync(writer, StorageArchive.Claim, "tar", StorageArchive.File, pod.Metadata.Name, mount.Container,
                StorageArchive.Archive(mount.Path), ct);
            entry["path"] = mount.Path;
            storage[StorageArchive.Claim] = entry;
            return (storage, null);
        }
        catch (ExecDumpException e)
        {
            storage[StorageArchive.Claim] = new JsonObject { ["tool"] = "tar", ["error"] = e.Message };
            context.Reporter.Event(stage, "dump-failed", e.Message);
            return (storage, e.Message);
        }
    }
}
