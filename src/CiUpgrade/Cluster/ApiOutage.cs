namespace CiUpgrade.Cluster;

/// <summary>
/// How long the API server has been unreachable (connections refused, reset or dropped), shared by every request of
/// the process so one outage spends one budget, not one per request. Any HTTP answer ends the outage. While it lasts,
/// a progress line is reported at most every few seconds, so a control-plane restart shows up in the log.
/// </summary>
public sealed class ApiOutage(TimeSpan budget, TimeProvider time)
{
    private static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);
    private readonly Lock _lock = new();
    private DateTimeOffset? _since;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    /// <summary>How long an outage is ridden out before the stage gives up (exit 3).</summary>
    public TimeSpan Budget { get; } = budget;

    /// <summary>Receives the progress lines ("API server unreachable for 12s …"); set once the reporter exists.</summary>
    public Action<string>? Progress { get; set; }

    /// <summary>A request reached the server (whatever it answered): the outage, if any, is over.</summary>
    public void Reached()
    {
        lock (_lock)
        {
            if (_since is { } since && Progress is { } progress && _lastReport != DateTimeOffset.MinValue)
            {
                progress($"API server reachable again after {DurationText.Format(time.GetUtcNow() - since)}");
            }

            _since = null;
            _lastReport = DateTimeOffset.MinValue;
        }
    }

    /// <summary>
    /// A connection failed: true while the outage is still within the budget (retry), false once it is spent.
    /// </summary>
    public bool Failed(string server, Exception error)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var since = _since ??= now;
            var elapsed = now - since;
            if (elapsed >= Budget)
            {
                return false;
            }

            if (elapsed >= QuietFor && now - _lastReport >= ProgressEvery && Progress is { } progress)
            {
                _lastReport = now;
                progress($"API server {server} unreachable for {DurationText.Format(elapsed)} ({Reason(error)}); retrying for up to {DurationText.Format(Budget)} (--api-retry-budget)");
            }

            return true;
        }
    }

    /// <summary>How long the current outage has lasted (zero when there is none).</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return _since is { } since ? time.GetUtcNow() - since : TimeSpan.Zero;
            }
        }
    }

    private static string Reason(Exception error)
    {
        var inner = error;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message.TrimEnd('.');
    }
}
