using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// Verify's testcases for one install: one per DC of the plan (<see cref="DeploymentConfigRules"/>), then the
/// release. The list is where another guide step adds its testcase (e.g. the system-app pre-hook), so verify and
/// drift both get it.
/// </summary>
public static class VerifyRules
{
    /// <param name="systemImage">The image this run chose (verify --system-image), else the one recorded in the cluster (<see cref="ChosenImage"/>).</param>
    public static IReadOnlyList<DeploymentJudgement> Judge(UpgradePlan plan, NamespaceState state, string? systemImage = null) =>
        plan.Verify.Select(check => DeploymentConfigRules.Judge(plan, check, state, systemImage)).ToList();

    public static IReadOnlyList<DigestResult> Check(UpgradePlan plan, NamespaceState state, string? systemImage = null) =>
        [.. Judge(plan, state, systemImage).Select(j => j.AsTestcase()), ReleaseCheck.Check(plan, state),
            .. plan.PreHook is { } hook && PreHookCheck.Check(plan, state.DeploymentConfigs.GetValueOrDefault(hook.DeploymentConfig)) is { } hookCase ? [hookCase] : Array.Empty<DigestResult>()];
}
