using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The image part of a rollback: system-app's pre hook, each plan stream's tags and system-app's release env entry
/// returned to the backup (each a guarded JSON patch computed from what the cluster holds, so a rerun sends only what
/// is left), then a wait until every plan DC runs the images the backup recorded. The hook goes first: restoring the
/// tags rolls system-app out on the source image, where the target's hook would run the target's migration tasks,
/// which fail (and, under failurePolicy Retry, retry until the rollout times out).
/// </summary>
public sealed class ImageRollback(StageContext context, string stage)
{
    /// <summary>Sends the patches; with <paramref name="dryRun"/> prints each one instead and sends nothing.</summary>
    public async Task ReturnAsync(BackupContent backup, bool keepTargetTag, bool dryRun, CancellationToken ct)
    {
        var (streams, dcs) = (backup.Streams, backup.DeploymentConfigs);
        if (context.Plan.PreHook is { } hook && dcs.GetValueOrDefault(hook.DeploymentConfig) is { } savedHookDc)
        {
            await PatchAsync("deploymentconfigs", hook.DeploymentConfig, () => context.Client.GetDeploymentConfigAsync(hook.DeploymentConfig, ct),
                d => RollbackPatch.ForPreHook(d, savedHookDc),
                ops => context.Client.PatchDeploymentConfigAsync(hook.DeploymentConfig, ops, false, ct), dryRun);
        }

        foreach (var step in context.Plan.ImageStreams)
        {
            if (streams.GetValueOrDefault(step.Name) is { } saved)
            {
                await PatchAsync("imagestreams", step.Name, () => context.Client.GetImageStreamAsync(step.Name, ct),
                    s => RollbackPatch.ForStream(s, saved, keepTargetTag),
                    ops => context.Client.PatchImageStreamAsync(step.Name, ops, false, ct), dryRun);
            }
        }

        var release = context.Plan.Release;
        if (dcs.GetValueOrDefault(release.DeploymentConfig) is { } savedApp)
        {
            await PatchAsync("deploymentconfigs", release.DeploymentConfig, () => context.Client.GetDeploymentConfigAsync(release.DeploymentConfig, ct),
                d => RollbackPatch.ForEnv(d, savedApp, release.Env),
                ops => context.Client.PatchDeploymentConfigAsync(release.DeploymentConfig, ops, false, ct), dryRun);
        }
    }

    /// <summary>Waits until every plan DC (issue 21: the plan's only, not every DC of the namespace) runs the backup's images and release entry.</summary>
    public async Task WaitAsync(BackupContent backup, CancellationToken ct)
    {
        var dcs = backup.DeploymentConfigs;
        var release = context.Plan.Release;
        var planDcs = RollbackCoverage.PlanDeploymentConfigs(context.Plan);
        var expectations = new Dictionary<string, RolloutExpectation>(StringComparer.Ordinal);
        foreach (var (name, byContainer) in backup.Images.Where(kv => dcs.ContainsKey(kv.Key) && planDcs.Contains(kv.Key)))
        {
            var expectation = RolloutExpectation.Images(byContainer.ToDictionary(StringComparer.Ordinal));
            if (name == release.DeploymentConfig)
            {
                var entries = (dcs[name]["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(c => (Name: BackupValidation.Str(c["name"]), Entry: (c["env"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(e => BackupValidation.Str(e["name"]) == release.Env)))
                    .Where(x => x.Name is not null && x.Entry is not null)
                    .ToDictionary(x => x.Name!, x => x.Entry!.ToJsonString(), StringComparer.Ordinal);
                expectation = expectation.And(RolloutExpectation.EnvEntries(release.Env, entries));
            }

            expectations[name] = expectation;
        }

        await new RolloutWaiter(context, stage).WaitAsync(expectations, ct);
    }

    private async Task PatchAsync<T>(string kind, string name, Func<Task<T?>> get, Func<T, JsonArray> compute, Func<JsonArray, Task<T>> send, bool dryRun)
        where T : class
    {
        async Task<(T? Current, JsonArray Ops)> Read()
        {
            var current = await get() ?? throw new UpgradeException(ExitCode.WrongClusterState, $"{kind} {name} is in the backup but not in namespace {context.Namespace}");
            return (current, compute(current));
        }

        if (dryRun)
        {
            // Nothing is sent, not even a server-side dry run: a rollback's dry run only reads.
            var (_, ops) = await Read();
            context.Reporter.Event(stage, ops.Count == 0 ? "unchanged" : "dryRun",
                ops.Count == 0 ? $"{name}: already as in the backup" : $"{name}: would send JSON patch {ops.ToJsonString()} (not sent)");
            return;
        }

        await new GuardedPatch(context, stage).ApplyAsync<T?>(name, Read, async ops => await send(ops), $"{name}: already as in the backup");
    }
}
