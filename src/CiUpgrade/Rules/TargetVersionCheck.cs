using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The release a run was asked to reach must be the one the plan upgrades to: otherwise every stage would act on
/// (or skip to) another release than the caller meant, and a pipeline could end green without any upgrade.
/// </summary>
public static class TargetVersionCheck
{
    /// <summary>Null when <paramref name="targetVersion"/> is not given or equals the plan's target; else the problem, naming the plan.</summary>
    public static string? Problem(UpgradePlan plan, string? planPath, string? targetVersion) =>
        targetVersion is null || string.Equals(targetVersion.Trim(), plan.Target, StringComparison.Ordinal)
            ? null
            : $"--target-version is {targetVersion.Trim()}, but {(planPath is null ? "the built-in plan" : "the plan " + planPath)} upgrades {plan.Source} to {plan.Target}: pass a plan that targets {targetVersion.Trim()}, or target-version {plan.Target}";
}
