using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Step 2.2 of the guide: set system-app's pre hook to the target release's command (the data migration), with the
/// master access token from secret system-seed, in one guarded JSON patch. The patch changes spec.strategy only, so
/// it starts no rollout: the new hook first runs in the rollout the amp-system patch causes, on the new image.
/// Refuses a customised hook (neither the source's nor the target's command) unless forced. Nothing is sent when
/// the hook already reads right; the token never appears in any output.
/// </summary>
public sealed class UpdatePreHookStage(StageContext context)
{
    private const string Stage = "update-prehook";

    public async Task<ExitCode> RunAsync(bool force, bool dryRun, CancellationToken ct)
    {
        var plan = context.Plan;
        if (plan.PreHook is not { } hook)
        {
            context.Reporter.Event(Stage, "done", "the plan has no pre-hook step: nothing to do");
            return ExitCode.Success;
        }

        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        if (InstallChecks.Release(snapshot, plan) is { } wrongRelease)
        {
            throw wrongRelease;
        }

        var token = await PreHookToken.ReadAsync(context, hook, ct);
        var source = PreHookCommand.Render(hook.Source, hook, token);
        var target = PreHookCommand.Render(hook.Target, hook, token);
        await new GuardedPatch(context, Stage).ApplyAsync(hook.DeploymentConfig,
            async () =>
            {
                var dc = await context.Client.GetDeploymentConfigAsync(hook.DeploymentConfig, ct)
                    ?? throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {hook.DeploymentConfig} not found in namespace {context.Namespace}");
                var current = PreHookCommand.Current(dc);
                switch (PreHookCommand.Classify(current, source, target))
                {
                    case PreHookState.Missing:
                        throw new UpgradeException(ExitCode.WrongClusterState,
                            $"{hook.DeploymentConfig} has no execNewPod pre hook in spec.strategy: restore it from the {plan.Target} template (its command is `{PreHookCommand.Show(hook.Target, hook)}`), then rerun");
                    case PreHookState.Customised when !force:
                        throw new UpgradeException(ExitCode.WrongClusterState,
                            $"{hook.DeploymentConfig}'s pre hook command is customised: it is neither the {plan.Source} nor the {plan.Target} command ({PreHookCommand.Difference(current!, source, hook)}). "
                            + $"Merge your change into the {plan.Target} command by hand, or rerun with --force to replace it with the {plan.Target} command");
                    case PreHookState.Customised:
                        context.Reporter.Event(Stage, "force", $"{hook.DeploymentConfig}: replacing a customised pre hook command (--force): {PreHookCommand.Show(current!, hook)}");
                        break;
                }

                return (dc, PreHookCommand.Patch(dc, target));
            },
            ops => context.Client.PatchDeploymentConfigAsync(hook.DeploymentConfig, ops, dryRun, ct),
            $"{hook.DeploymentConfig}: pre hook command already the {plan.Target} one",
            dryRun, new Dictionary<string, string> { ["deploymentConfig"] = hook.DeploymentConfig }, ct);

        context.Reporter.Event(Stage, "done", dryRun ? "dry run: nothing was changed"
            : $"{hook.DeploymentConfig}'s pre hook runs the {plan.Target} migration ({hook.Key} from secret {hook.Secret}); it first runs in the rollout the {plan.Target} system image starts (patch-imagestreams), no rollout now");
        return ExitCode.Success;
    }
}
