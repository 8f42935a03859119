using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;
using k8s;

namespace CiUpgrade.Stages;

/// <summary>
/// Returns the namespace to the newest pre-upgrade backup (chosen and checked by <see cref="BackupLocator"/>, which
/// refuses with exit 2 before anything is sent): each plan stream's tags as they were (latest back on the source
/// tag, the target tag removed unless kept), system-app's release env entry as it was (a ConfigMap reference too),
/// then waits until every DC runs the images the manifest recorded. Idempotent and resumable: patches are computed
/// from what the cluster holds, so a rerun after success or a crash sends only what is left.
/// </summary>
public sealed class RollbackStage(StageContext context)
{
    private const string Stage = "rollback";

    /// <param name="located">The backup <see cref="BackupLocator"/> chose and checked (before the lock was waited for).</param>
    public async Task<ExitCode> RunAsync((string Dir, BackupContent Content) located, bool keepTargetTag, bool noWait, CancellationToken ct)
    {
        var (chosen, backup) = located;
        var (streams, dcs) = (backup.Streams, backup.DeploymentConfigs);

        if (await context.Client.BuildConfigExistsAsync(context.Plan.Oracle.BuildConfig, ct))
        {
            // Restoring tags would leave the built amp-system:latest (and the DCs on it) where it is: refuse, change nothing.
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"rollback does not restore an Oracle-backed system image (BuildConfig {context.Plan.Oracle.BuildConfig} pushes {context.Plan.Oracle.ImageStream}:latest): nothing was changed; tag the image recorded in {chosen} back onto {context.Plan.Oracle.ImageStream}:latest and point the BuildConfig at {context.Plan.Oracle.ImageStream}:{context.Plan.Source} by hand");
        }

        // The release and the plan's objects as preflight checks them; no rollout check: rollback exists to recover
        // from rollouts that failed or never finished.
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        await InstallChecks.RequireAsync(context, snapshot, null, ct);
        if (RollbackCoverage.Missing(context.Plan, snapshot.Streams.Keys, backup) is { } missing)
        {
            // A backup without a stream the namespace has would leave that stream (and its DCs) on the target: refuse
            // before the first change rather than end half rolled back.
            throw new UpgradeException(ExitCode.BadInput, $"the backup in {chosen} cannot return the whole install: {missing}; nothing was changed — pass a complete pre-upgrade backup");
        }

        // The patches show the hook command as it is, which may carry the token in any form: mask its value when readable.
        await PreHookToken.MaskIfReadableAsync(context, context.Plan.PreHook, ct);

        // The hook first: restoring the tags rolls system-app out on the source image, and the target's hook would run
        // the target's migration tasks there, which fail (and, under failurePolicy Retry, retry until the rollout times out).
        if (context.Plan.PreHook is { } hook && dcs.GetValueOrDefault(hook.DeploymentConfig) is { } savedHookDc)
        {
            await PatchAsync("deploymentconfigs", hook.DeploymentConfig, () => context.Client.GetDeploymentConfigAsync(hook.DeploymentConfig, ct),
                d => RollbackPatch.ForPreHook(d, savedHookDc),
                ops => context.Client.PatchDeploymentConfigAsync(hook.DeploymentConfig, ops, false, ct));
        }

        foreach (var step in context.Plan.ImageStreams)
        {
            if (streams.GetValueOrDefault(step.Name) is not { } saved)
            {
                continue;
            }

            await PatchAsync("imagestreams", step.Name, () => context.Client.GetImageStreamAsync(step.Name, ct),
                s => RollbackPatch.ForStream(s, saved, keepTargetTag),
                ops => context.Client.PatchImageStreamAsync(step.Name, ops, false, ct));
        }

        var release = context.Plan.Release;
        if (dcs.GetValueOrDefault(release.DeploymentConfig) is { } savedApp)
        {
            await PatchAsync("deploymentconfigs", release.DeploymentConfig, () => context.Client.GetDeploymentConfigAsync(release.DeploymentConfig, ct),
                d => RollbackPatch.ForEnv(d, savedApp, release.Env),
                ops => context.Client.PatchDeploymentConfigAsync(release.DeploymentConfig, ops, false, ct));
        }

        if (!noWait)
        {
            var expectations = new Dictionary<string, RolloutExpectation>(StringComparer.Ordinal);
            // The plan's DCs only (issue 21): another DC of the namespace is not the upgrade's to wait for.
            var planDcs = RollbackCoverage.PlanDeploymentConfigs(context.Plan);
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

            await new RolloutWaiter(context, Stage).WaitAsync(expectations, ct);
        }

        context.Reporter.Event(Stage, "done", $"namespace {context.Namespace} is back to the backup of {backup.Time} (release {backup.Release})");
        return ExitCode.Success;
    }

    private Task<T?> PatchAsync<T>(string kind, string name, Func<Task<T?>> get, Func<T, JsonArray> compute, Func<JsonArray, Task<T>> send)
        where T : class =>
        new GuardedPatch(context, Stage).ApplyAsync<T?>(name,
            async () =>
            {
                var current = await get() ?? throw new UpgradeException(ExitCode.WrongClusterState, $"{kind} {name} is in the backup but not in namespace {context.Namespace}");
                return (current, compute(current));
            },
            async ops => await send(ops),
            $"{name}: already as in the backup");
}
