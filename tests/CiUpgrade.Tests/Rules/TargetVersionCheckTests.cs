using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Rules;

public sealed class TargetVersionCheckTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("2.7")]
    [InlineData(" 2.7 ")]
    public void Not_given_or_the_plans_target_is_no_problem(string? target) =>
        Assert.Null(TargetVersionCheck.Problem(Samples.Plan, null, target));

    [Fact]
    public void Another_target_names_the_plan_and_both_releases()
    {
        Assert.Equal("--target-version is 2.8, but the plan plans/p.yaml upgrades 2.6 to 2.7: pass a plan that targets 2.8, or target-version 2.7",
            TargetVersionCheck.Problem(Samples.Plan, "plans/p.yaml", "2.8"));
        Assert.StartsWith("--target-version is 2.6, but the built-in plan upgrades 2.6 to 2.7", TargetVersionCheck.Problem(Samples.Plan, null, "2.6"), StringComparison.Ordinal);
    }
}
