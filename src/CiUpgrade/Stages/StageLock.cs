namespace CiUpgrade.Stages;

/// <summary>
/// The namespace lock (<see cref="NamespaceLock"/>) as one mutating stage holds it. Before the stage's checks the run
/// only waits, reading, while another live run holds it (named in the log); the lock itself is created just before
/// the stage's first write (<see cref="Cluster.OpenShiftClient.BeforeWrite"/>), so a stage that refuses after its
/// checks, or finds nothing to do, leaves the cluster exactly as it was. If another run took the lock between the two
/// (both checked at once), this run waits for it and then throws <see cref="LockContendedException"/>: nothing was
/// written yet, and the stage is run again from its checks, now holding the lock, because what it checked may have
/// changed under the other run.
/// </summary>
public sealed class StageLock(StageContext context, string stage, string holder) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lost = new();
    private NamespaceLock? _held;
    private CancellationTokenRegistration _forward;

    /// <summary>Cancelled when another run took the lock over while this stage held it.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Who took the lock over (when <see cref="Lost"/>).</summary>
    public string? TakenBy => _held?.TakenBy;

    /// <summary>
    /// Reads only, returning once no other live run holds the lock — except when this run's own lock is found (a rerun
    /// of a killed stage with the same --run-id): that one is taken over at once, so it is released at the end even if
    /// the rerun has nothing left to change.
    /// </summary>
    public async Task WaitUntilFreeAsync(CancellationToken ct)
    {
        if (await NamespaceLock.WaitUntilFreeAsync(context, stage, holder, ct) == Rules.LockAction.TakeOverOwn)
        {
            await EnsureHeldAsync(ct);
        }
    }

    /// <summary>Takes the lock unless held already; throws <see cref="LockContendedException"/> when another run had it first.</summary>
    public async Task EnsureHeldAsync(CancellationToken ct)
    {
        if (_held is not null)
        {
            return;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_held is not null)
            {
                return;
            }

            var (held, waited) = await NamespaceLock.AcquireAsync(context, stage, holder, ct);
            _held = held;
            _forward = held.Lost.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _lost);
            if (waited)
            {
                throw new LockContendedException();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _forward.DisposeAsync();
        if (_held is not null)
        {
            await _held.DisposeAsync();
        }

        _gate.Dispose();
        _lost.Dispose();
    }
}

/// <summary>Another run held the namespace lock when this stage was about to write: the stage is run again from its checks.</summary>
public sealed class LockContendedException() : Exception("another run held the namespace lock when this stage was about to write");
