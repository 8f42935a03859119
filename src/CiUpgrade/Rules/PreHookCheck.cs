using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The `pre-hook` testcase of verify and drift (the guide's own check after the upgrade: `oc get dc system-app -o json
/// | jq .spec.strategy.rollingParams.pre.execNewPod.command`): the hook runs the target release's command. Judged
/// against the plan's template with any value in place of the token, so no secret is read; the command shown in a
/// failure has the token masked.
/// </summary>
public static class PreHookCheck
{
    public const string TestCase = "pre-hook";

    /// <summary>The testcase, or null when the plan has no pre-hook step.</summary>
    public static DigestResult? Check(UpgradePlan plan, DeploymentConfig? dc)
    {
        if (plan.PreHook is not { } hook)
        {
            return null;
        }

        var expected = PreHookCommand.Show(hook.Target, hook);
        if (dc is null)
        {
            return new DigestResult(TestCase, CheckOutcome.Failed, $"pre-hook: DeploymentConfig {hook.DeploymentConfig} not found", [$"expected DeploymentConfig {hook.DeploymentConfig} with the {plan.Target} pre hook"]);
        }

        var current = PreHookCommand.Current(dc);
        if (PreHookCommand.MatchesTemplate(current, hook.Target, hook))
        {
            return new DigestResult(TestCase, CheckOutcome.Passed, $"{hook.DeploymentConfig}'s pre hook runs the {plan.Target} migration", []);
        }

        var actual = current is null ? "no execNewPod pre hook" : PreHookCommand.Show(current, hook);
        return new DigestResult(TestCase, CheckOutcome.Failed, $"pre-hook: {hook.DeploymentConfig}'s hook command was the {plan.Target} one, is {actual}",
            [$"expected {hook.DeploymentConfig} pre hook command {expected}, actual {actual}"]);
    }
}
