using System.Net;
using CiUpgrade.Cluster;
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
        for (var attempt = 1; ; attempt++)
        {
            var dc = await context.Client.GetDeploymentConfigAsync(release.DeploymentConfig, ct)
                ?? throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {release.DeploymentConfig} not found in namespace {context.Namespace}");
            var ops = ReleaseEnvPatch.For(dc, release, target);
            if (ops.Count == 0)
            {
                context.Reporter.Event(Stage, "unchanged", $"{release.DeploymentConfig}: {release.Env}={target} already set on every container");
                break;
            }

            try
            {
                await context.Client.PatchDeploymentConfigAsync(release.DeploymentConfig, ops, dryRun, ct);
                context.Reporter.Event(Stage, dryRun ? "dryRun" : "patched",
                    $"{release.DeploymentConfig}: {(dryRun ? "would send" : "sent")} JSON patch {ops.ToJsonString()}",
                    new Dictionary<string, string> { ["deploymentConfig"] = release.DeploymentConfig, ["patch"] = ops.ToJsonString() });
                break;
            }
            catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity && attempt < 5)
            {
                context.Reporter.Event(Stage, "retry", $"{release.DeploymentConfig} changed while patching ({e.StatusCode}); reading it again");
            }
        }

        if (!noWait && !dryRun)
        {
            await new RolloutWaiter(context, Stage).WaitAsync(
                new Dictionary<string, RolloutExpectation> { [release.DeploymentConfig] = RolloutExpectation.Env(release.Env, target) }, ct);
        }

        context.Reporter.Event(Stage, "done", dryRun ? "dry run: nothing was changed" : $"{release.Env}={target} on {release.DeploymentConfig}");
        return ExitCode.Success;
    }
}
