namespace CiUpgrade.Simulator.Api;

/// <summary>
/// An API server that is unreachable for a while, as during a control-plane restart: the listener closes (every
/// connection dropped, new ones refused) and opens again on the same port, the stored state untouched. Tests start
/// it from a condition (the Nth matching request) rather than at a time, so it lands where they mean it to.
/// </summary>
public sealed class ListenerOutage
{
    private readonly ApiServer _server;

    internal ListenerOutage(ApiServer server) => _server = server;

    /// <summary>Closes the listener now.</summary>
    public Task StopAsync() => _server.StopListeningAsync();

    /// <summary>Opens the listener again.</summary>
    public Task StartAsync() => _server.StartListeningAsync();

    /// <summary>
    /// When the <paramref name="count"/>th request matching <paramref name="match"/> has been answered, closes the
    /// listener for <paramref name="duration"/> (wall clock: it is the outage being ridden out, not a wait for a state)
    /// and opens it again. The task completes when the listener is back; it is cancelled with the token before then.
    /// </summary>
    public Task After(int count, Func<RecordedRequest, bool> match, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var seen = 0;
        var triggered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRecorded(RecordedRequest request)
        {
            if (match(request) && Interlocked.Increment(ref seen) == count)
            {
                triggered.TrySetResult();
            }
        }

        _server.Handler.Recorded += OnRecorded;
        return RunAsync();

        async Task RunAsync()
        {
            try
            {
                await triggered.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                _server.Handler.Recorded -= OnRecorded;
            }

            await StopAsync();
            try
            {
                await Task.Delay(duration, cancellationToken);
            }
            finally
            {
                await StartAsync();
            }
        }
    }
}
