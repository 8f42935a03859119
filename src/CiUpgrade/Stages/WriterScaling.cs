using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The writers of a data restore (<see cref="DataRestorePlan.Writers"/>): their replica counts recorded in the
/// restore's progress before any is touched (so a rerun, or the scale back, knows them), then each scaled to 0 with a
/// guarded JSON patch of `spec.replicas` (what `oc scale dc` changes); later each scaled back to what was recorded.
/// Before a database is dropped, no pod of theirs may run (PostgreSQL refuses DROP DATABASE with clients connected,
/// and a writer would write into a half-loaded database): that is waited for, pods terminating included.
/// </summary>
public sealed class WriterScaling(StageContext context, string stage)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);

    /// <summary>Records the present writers' replicas (once) into <paramref name="progress"/>; true when it changed.</summary>
    public static bool Record(RestoreProgress progress, InstallSnapshot snapshot)
    {
        if (progress.Replicas.Count > 0)
        {
            return false;
        }

        foreach (var dc in DataRestorePlan.Writers.Where(snapshot.DeploymentConfigs.ContainsKey))
        {
            progress.Replicas[dc] = snapshot.DeploymentConfigs[dc].Spec.Replicas;
        }

        return true;
    }

    public Task DownAsync(RestoreProgress progress, CancellationToken ct) =>
        ScaleAsync(progress.Replicas.Keys.Select(dc => (dc, 0)), ct);

    public Task UpAsync(RestoreProgress progress, CancellationToken ct) =>
        ScaleAsync(progress.Replicas.Select(kv => (kv.Key, kv.Value)), ct);

    /// <summary>Waits until no pod of the writers exists but finished ones (exit 5 at the timeout, naming them).</summary>
    public async Task WaitStoppedAsync(IEnumerable<string> writers, CancellationToken ct)
    {
        var selector = $"deploymentconfig in ({string.Join(",", writers)})";
        var started = context.Time.GetUtcNow();
        var reported = DateTimeOffset.MinValue;
        while (true)
        {
            var running = (await context.Client.ListPodsAsync(selector, ct))
                .Where(p => p.Status?.Phase is not ("Succeeded" or "Failed")).Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
            if (running.Count == 0)
            {
                context.Reporter.Event(stage, "stopped", $"no pod of {string.Join(", ", writers)} runs");
                return;
            }

            var now = context.Time.GetUtcNow();
            if (now - started >= context.Timeout)
            {
                throw new UpgradeException(ExitCode.RolloutFailed,
                    $"timed out after {DurationText.Format(context.Timeout)} waiting for the writers' pods to stop: {string.Join(", ", running)} still there; check them (oc get pods -n {context.Namespace}) and rerun rollback --restore-data");
            }

            if (now - reported >= ProgressInterval)
            {
                reported = now;
                context.Reporter.Event(stage, "progress", $"waiting for {running.Count} writer pod(s) to stop: {string.Join(", ", running.Take(5))}");
            }

            await Task.Delay(Poll, context.Time, ct);
        }
    }

    private async Task ScaleAsync(IEnumerable<(string Dc, int Replicas)> targets, CancellationToken ct)
    {
        foreach (var (dc, replicas) in targets)
        {
            await new GuardedPatch(context, stage).ApplyAsync(dc, async () =>
            {
                var current = await context.Client.GetDeploymentConfigAsync(dc, ct)
                    ?? throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {dc} is gone from namespace {context.Namespace}; nothing more was changed");
                JsonArray ops = current.Spec.Replicas == replicas ? [] :
                [
                    ImageStreamTagPatch.Op("test", "/metadata/resourceVersion", current.Metadata.ResourceVersion),
                    ImageStreamTagPatch.Op("replace", "/spec/replicas", replicas),
                ];
                return (current, ops);
            }, ops => context.Client.PatchDeploymentConfigAsync(dc, ops, false, ct), $"{dc}: already at {replicas.ToString(CultureInfo.InvariantCulture)} replica(s)");
        }
    }
}
