namespace CiUpgrade.Rules;

/// <summary>What a stage does about the namespace lock it finds (pure: the stage reads the ConfigMap, this decides).</summary>
public enum LockAction
{
    /// <summary>No lock: create it.</summary>
    Create,

    /// <summary>Our own run holds it (a rerun of the same --run-id, resuming its own work): take it over at once.</summary>
    TakeOverOwn,

    /// <summary>Not renewed for longer than <see cref="LockDecision.Staleness"/>: its holder is gone; take it over.</summary>
    TakeOverStale,

    /// <summary>Another live run holds it: wait.</summary>
    Wait,
}

/// <summary>What `ciupgrade unlock` does about the lock it finds.</summary>
public enum UnlockAction
{
    /// <summary>No lock: nothing to release.</summary>
    None,

    /// <summary>Delete it (stale, or --force).</summary>
    Release,

    /// <summary>--run-id names another holder: refuse, the operator may be about to release a live run's lock.</summary>
    RefuseOtherHolder,

    /// <summary>Renewed within the staleness window and no --force: its holder may be alive.</summary>
    RefuseAlive,
}

/// <summary>
/// The namespace lock's rules. The holder renews the lock every <see cref="RenewEvery"/>; a lock not renewed for
/// <see cref="Staleness"/> belongs to a run that died (killed, node lost) and may be taken over. A holder riding out an
/// API outage cannot renew, so the staleness is derived from the longest outage a lock-holding stage may ride out
/// (<see cref="MaxHolderOutage"/>, the cap on its --api-retry-budget, review N7) plus one renewal interval plus the
/// clock difference assumed between the holder and another run (<see cref="ClockSkew"/>): a live holder is never
/// taken for dead.
/// </summary>
public static class LockDecision
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    /// <summary>How far apart the clocks of two runs' machines may be: the renewal time is the holder's clock, the age is the reader's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>The longest --api-retry-budget a stage that holds the lock may have.</summary>
    public static readonly TimeSpan MaxHolderOutage = TimeSpan.FromSeconds(160);

    public static readonly TimeSpan Staleness = MaxHolderOutage + RenewEvery + ClockSkew;

    public static LockAction Decide(string? holder, DateTimeOffset? renewed, string me, DateTimeOffset now)
    {
        if (holder is null)
        {
            return LockAction.Create;
        }

        if (holder == me)
        {
            return LockAction.TakeOverOwn;
        }

        // A lock without a readable renewal time is treated as stale: nobody could ever prove it alive.
        return renewed is not { } at || now - at > Staleness ? LockAction.TakeOverStale : LockAction.Wait;
    }

    /// <summary>
    /// `ciupgrade unlock`: release a lock the operator knows is dead. With <paramref name="runId"/> only that holder's;
    /// one renewed within <see cref="Staleness"/> only with <paramref name="force"/> (a stale one would be taken over by
    /// the next run anyway).
    /// </summary>
    public static UnlockAction Unlock(string? holder, DateTimeOffset? renewed, string? runId, bool force, DateTimeOffset now)
    {
        if (holder is null)
        {
            return UnlockAction.None;
        }

        if (runId is not null && holder != runId)
        {
            return UnlockAction.RefuseOtherHolder;
        }

        return force || renewed is not { } at || now - at > Staleness ? UnlockAction.Release : UnlockAction.RefuseAlive;
    }
}
