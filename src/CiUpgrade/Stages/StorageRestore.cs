using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// Puts system-storage back (../shared/docs/restore.md §3.4, `oc rsync --delete` of the archive): through the pod
/// <see cref="StorageRestorePod"/> describes — created (or the one a killed run left reused; one no longer running
/// replaced), waited for until Running — the mount point is emptied and the backup's tar extracted into it, then the
/// pod is deleted.
/// </summary>
public sealed class StorageRestore(StageContext context, string stage)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public async Task RunAsync(BackedUpData archive, string file, CancellationToken ct)
    {
        var app = await context.Client.GetDeploymentConfigAsync(StorageArchive.DeploymentConfig, ct)
            ?? throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {StorageArchive.DeploymentConfig} is gone from namespace {context.Namespace}");
        var wanted = StorageRestorePod.From(app.Spec.Template)
            ?? throw new UpgradeException(ExitCode.WrongClusterState, $"{StorageArchive.DeploymentConfig} no longer mounts PersistentVolumeClaim {StorageArchive.Claim}: system-storage cannot be restored");
        var mount = StorageArchive.MountIn(wanted.Spec)!.Value;
        var pod = await RunningPodAsync(wanted, ct);
        await new DataLoader(context, stage).LoadAsync(StorageArchive.Claim, file, archive.Bytes, pod.Metadata.Name, mount.Container,
            StorageArchive.Extract(mount.Path, archive.Bytes), ct);
        await context.Client.DeletePodAsync(pod.Metadata.Name, pod.Metadata.Uid, ct);
    }

    private async Task<V1Pod> RunningPodAsync(V1Pod wanted, CancellationToken ct)
    {
        var started = context.Time.GetUtcNow();
        while (true)
        {
            var pod = await context.Client.GetPodAsync(StorageRestorePod.Name, ct);
            switch (pod?.Status?.Phase)
            {
                case null when pod is null:
                    context.Reporter.Event(stage, "pod", $"{StorageArchive.Claim}: creating pod {StorageRestorePod.Name} on {wanted.Spec.Containers[0].Image} to extract the archive into (system-app is at 0 replicas)");
                    try
                    {
                        await context.Client.CreatePodAsync(wanted, ct);
                    }
                    catch (Cluster.ClusterRequestException e) when (e.StatusCode is System.Net.HttpStatusCode.Conflict)
                    {
                        // AlreadyExists: a resent create whose first answer was lost; the next read finds the pod.
                    }

                    continue;
                case "Running":
                    return pod!;
                case "Succeeded" or "Failed":
                    // Left by an earlier run and ended (its hour is up): a fresh one.
                    await context.Client.DeletePodAsync(pod!.Metadata.Name, pod.Metadata.Uid, ct);
                    await WaitGoneAsync(pod.Metadata.Uid, ct);
                    continue;
            }

            if (context.Time.GetUtcNow() - started >= context.Timeout)
            {
                var waiting = pod?.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting;
                throw new UpgradeException(ExitCode.RolloutFailed,
                    $"timed out after {DurationText.Format(context.Timeout)} waiting for pod {StorageRestorePod.Name} to run{(waiting is null ? string.Empty : $" ({waiting.Reason}: {waiting.Message})")}; fix the cause and rerun rollback --restore-data");
            }

            await Task.Delay(Poll, context.Time, ct);
        }
    }

    private async Task WaitGoneAsync(string uid, CancellationToken ct)
    {
        while (await context.Client.GetPodAsync(StorageRestorePod.Name, ct) is { } pod && pod.Metadata.Uid == uid)
        {
            await Task.Delay(Poll, context.Time, ct);
        }
    }
}
