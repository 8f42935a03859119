using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>Runbook step 8: `oc set env dc/system-app AMP_RELEASE=2.7`, as an idempotent JSON patch, then wait for that rollout.</summary>
public sealed class SetReleaseStage(StageContext context)
{
    private const string Stage = "set-release";

    public async Task<ExitCode> RunAsync(bool noWait, bool dryRun, CancellationToken ct)
    {
        var release = context.Plan.Release;
        var target = context.Plan.Target;

        // What preflight checks, again (Tekton may run this stage alone): never set the target over another release.
        // Once the release reads as the target, this is a rerun resuming its own rollout: no rollout check then.
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        await InstallChecks.RequireAsync(context, snapshot, snapshot.Release == target ? null : new HashSet<string>(StringComparer.Ordinal), ct);
        await new GuardedPatch(context, Stage).ApplyAsync(release.DeploymentConfig,
            async () =>
            {
                var dc = await context.Client.GetDeploymentConfigAsync(release.DeploymentConfig, ct)
                    ?? throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {release.DeploymentConfig} not found in namespace {context.Namespace}");
                return (dc, ReleaseEnvPatch.For(dc, release, target));
            },
            ops => context.Client.PatchDeploymentConfigAsync(release.DeploymentConfig, ops, dryRun, ct),
            $"{release.DeploymentConfig}: {release.Env}={target} already set on every container",
            dryRun, new Dictionary<string, string> { ["deploymentConfig"] = release.DeploymentConfig }, ct);

        if (!noWait && !dryRun)
        {
            await new RolloutWaiter(context, Stage).WaitAsync(
                new Dictionary<string, RolloutExpectation> { [release.DeploymentConfig] = RolloutExpectation.Env(release.Env, target) }, ct);
        }

        context.Reporter.Event(Stage, "done", dryRun ? "dry run: nothing was changed" : $"{release.Env}={target} on {release.DeploymentConfig}");
        return ExitCode.Success;
    }
}
