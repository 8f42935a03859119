using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// backend-redis and system-redis back to their dumps, as Red Hat's 2.6 procedure does it (<see cref="RedisPersistence"/>,
/// ../shared/docs/restore.md §3.6–3.7), each step recorded in the restore's progress: redis-config as it was saved,
/// then without persistence; for each redis a rollout (it now runs without persistence), the dump copied into its data
/// directory with the live files moved aside, a rollout (it loads dump.rdb), BGREWRITEAOF until INFO says the rewrite
/// is over; then redis-config as it was and one more rollout of both (they load the rewritten AOF).
/// </summary>
public sealed class RedisRestore(StageContext context, string stage, RestoreState state, RestoreRollouts rollouts)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public async Task RunAsync(RestoreProgress progress, IReadOnlyList<(BackedUpData Dump, string File)> dumps, CancellationToken ct)
    {
        await StepAsync(progress, "redis-config-off", async () => await SetConfigAsync(progress, off: true, ct), ct);
        foreach (var (dump, file) in dumps)
        {
            var dc = dump.Name;
            await StepAsync(progress, $"{dc}:restart", () => rollouts.RollOutAsync(progress, "no-persistence", [dc], ct), ct);
            await StepAsync(progress, $"{dc}:copy", async () =>
            {
                var pod = await PodAsync(dc, ct);
                await new DataLoader(context, stage).LoadAsync(dc, file, dump.Bytes, pod.Metadata.Name, pod.Spec.Containers[0].Name, DataLoad.Redis(dump.Bytes), ct);
            }, ct);
            await StepAsync(progress, $"{dc}:load", () => rollouts.RollOutAsync(progress, "load", [dc], ct), ct);
            await StepAsync(progress, $"{dc}:rewrite", () => RewriteAofAsync(dc, ct), ct);
        }

        await StepAsync(progress, "redis-config-on", async () => await SetConfigAsync(progress, off: false, ct), ct);
        await StepAsync(progress, "redis:restart", () => rollouts.RollOutAsync(progress, "persistence", [.. dumps.Select(d => d.Dump.Name)], ct), ct);
    }

    private async Task StepAsync(RestoreProgress progress, string step, Func<Task> run, CancellationToken ct)
    {
        if (progress.Has(step))
        {
            return;
        }

        await run();
        progress.Complete(step);
        await state.SaveAsync(progress, ct);
    }

    /// <summary>redis-config's redis.conf without persistence (its original saved first), or back to the original.</summary>
    private async Task SetConfigAsync(RestoreProgress progress, bool off, CancellationToken ct)
    {
        var configMap = await context.Client.GetConfigMapAsync(RedisPersistence.ConfigMap, ct);
        if (configMap?.Data?.TryGetValue(RedisPersistence.ConfigKey, out var conf) != true || conf is null)
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"ConfigMap {RedisPersistence.ConfigMap} has no {RedisPersistence.ConfigKey}: the redis restore cannot turn persistence off; nothing more was changed");
        }

        if (progress.RedisConfig is null)
        {
            progress.RedisConfig = conf;
            await state.SaveAsync(progress, ct);
        }

        var wanted = off ? RedisPersistence.Off(progress.RedisConfig) : progress.RedisConfig;
        if (conf == wanted)
        {
            return;
        }

        await context.Client.EnsureWritableAsync(ct);
        configMap!.Data![RedisPersistence.ConfigKey] = wanted;
        try
        {
            await context.Client.ReplaceConfigMapAsync(configMap, ct);
        }
        catch (Cluster.ClusterRequestException e) when (e.StatusCode is System.Net.HttpStatusCode.Conflict)
        {
            // A resent PUT whose first answer was lost, or an edit in between: read it again and judge afresh.
            await SetConfigAsync(progress, off, ct);
            return;
        }

        context.Reporter.Event(stage, "redis-config", off
            ? $"{RedisPersistence.ConfigMap}: persistence off (save lines commented out, appendonly no) while the dumps go back"
            : $"{RedisPersistence.ConfigMap}: as it was before the restore");
    }

    private async Task RewriteAofAsync(string dc, CancellationToken ct)
    {
        var loader = new DataLoader(context, stage);
        var pod = await PodAsync(dc, ct);
        var container = pod.Spec.Containers[0].Name;
        await loader.RunAsync(dc, pod.Metadata.Name, container, RedisPersistence.RewriteAof, ct);
        var started = context.Time.GetUtcNow();
        while (true)
        {
            var info = await loader.RunAsync(dc, pod.Metadata.Name, container, RedisPersistence.Info, ct);
            switch (RedisPersistence.RewriteFinished(info))
            {
                case true:
                    context.Reporter.Event(stage, "aof", $"{dc}: BGREWRITEAOF done: the append-only file holds the restored data");
                    return;
                case false:
                    throw new UpgradeException(ExitCode.RolloutFailed, $"{dc}: BGREWRITEAOF in pod {pod.Metadata.Name} failed (aof_last_bgrewrite_status is not ok); check its log and rerun rollback --restore-data");
            }

            if (context.Time.GetUtcNow() - started >= context.Timeout)
            {
                throw new UpgradeException(ExitCode.RolloutFailed, $"{dc}: BGREWRITEAOF in pod {pod.Metadata.Name} still running after {DurationText.Format(context.Timeout)}; rerun rollback --restore-data");
            }

            await Task.Delay(Poll, context.Time, ct);
        }
    }

    private async Task<V1Pod> PodAsync(string dc, CancellationToken ct)
    {
        var latest = (await context.Client.GetDeploymentConfigAsync(dc, ct))?.Status?.LatestVersion;
        return ExecDump.Pick(await context.Client.ListPodsAsync($"deploymentconfig={dc}", ct), dc, latest)
            ?? throw new UpgradeException(ExitCode.RolloutFailed, $"{dc}: no running and ready pod to restore into; check it (oc get pods -l deploymentconfig={dc}) and rerun rollback --restore-data");
    }
}
