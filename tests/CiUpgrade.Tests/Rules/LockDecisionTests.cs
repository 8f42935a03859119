using CiUpgrade.Cli;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Rules;

public sealed class LockDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_holder_riding_out_the_longest_outage_it_may_is_never_taken_for_dead()
    {
        // Its last renewal just before the outage, the renewal after it one interval late, read by a clock a minute ahead.
        var lastRenewal = Now;
        var seenAt = lastRenewal + LockDecision.MaxHolderOutage + LockDecision.RenewEvery + LockDecision.ClockSkew;

        Assert.Equal(LockAction.Wait, LockDecision.Decide("other", lastRenewal, "me", seenAt));
        Assert.Equal(LockAction.TakeOverStale, LockDecision.Decide("other", lastRenewal, "me", seenAt + TimeSpan.FromSeconds(1)));
        // unlock's --help states the window.
        Assert.Equal(TimeSpan.FromMinutes(4), LockDecision.Staleness);
    }

    [Fact]
    public void The_retry_budget_of_a_stage_holding_the_lock_is_capped_below_the_staleness_and_a_read_only_ones_is_not()
    {
        Assert.Equal(LockDecision.MaxHolderOutage, InputValidation.ApiRetryBudget("2m40s", TimeSpan.FromHours(1), holdsLock: true));
        var e = Assert.Throws<UpgradeException>(() => InputValidation.ApiRetryBudget("2m41s", TimeSpan.FromHours(1), holdsLock: true));
        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.Equal(TimeSpan.FromMinutes(10), InputValidation.ApiRetryBudget("10m", TimeSpan.FromHours(1)));
    }

    [Theory]
    [InlineData(null, 0, null, false, UnlockAction.None)]
    [InlineData("run-1", 10, null, false, UnlockAction.RefuseAlive)]
    [InlineData("run-1", 10, null, true, UnlockAction.Release)]
    [InlineData("run-1", 10, "run-1", true, UnlockAction.Release)]
    [InlineData("run-1", 10, "run-2", true, UnlockAction.RefuseOtherHolder)]
    [InlineData("run-1", 600, null, false, UnlockAction.Release)]
    public void Unlock_releases_only_a_stale_lock_or_with_force_and_only_the_holder_named(string? holder, int secondsAgo, string? runId, bool force, UnlockAction expected)
    {
        Assert.Equal(expected, LockDecision.Unlock(holder, Now.AddSeconds(-secondsAgo), runId, force, Now));
    }
}
