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

/// <summary>
/// The namespace lock's rules. The holder renews the lock every <see cref="RenewEvery"/>; a lock not renewed for
/// <see cref="Staleness"/> belongs to a run that died (killed, node lost) and may be taken over. The staleness is
/// longer than the default --api-retry-budget, so a holder riding out an API outage keeps its lock.
/// </summary>
public static class LockDecision
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    public static readonly TimeSpan Staleness = TimeSpan.FromMinutes(3);

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
}
