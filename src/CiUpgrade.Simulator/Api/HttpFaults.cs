namespace CiUpgrade.Simulator.Api;

/// <summary>
/// Fault injection at the HTTP layer, settable while the server runs: error answers (500, 503, 429 with
/// Retry-After), watch streams dropped after some events or told their resourceVersion expired, 409 Conflicts on
/// writes, latency, and connections reset (aborted as a proxy's RST does) either while the request arrives or
/// half-way through the answer.
/// Counters are exact and the random rate uses a seeded generator, so tests are repeatable.
/// </summary>
public sealed class HttpFaults
{
    private readonly Lock _lock = new();
    private readonly Random _random;
    private readonly RequestCountdown _errors = new();
    private readonly RequestCountdown _conflicts = new();
    private readonly RequestCountdown _expiries = new();
    private readonly RequestCountdown _resets = new();
    private int _errorCode = 500;
    private double _errorRate;

    private CancellationTokenSource _watchCut = new();

    private double _resetRate;
    private ConnectionReset? _resetPoint;

    public HttpFaults(int seed = 42) => _random = new Random(seed);

    /// <summary>Cancelled when <see cref="CutWatches"/> ends every open watch stream.</summary>
    internal CancellationToken WatchesCut
    {
        get { lock (_lock) { return _watchCut.Token; } }
    }

    /// <summary>Close every watch stream abruptly after this many events (null: never).</summary>
    public int? DropWatchesAfterEvents { get; set; }

    /// <summary>Added before every answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// A proxy in front of the API server that buffers a binary build's upload and answers 413 when it is larger than
    /// this many bytes, as nginx's client_max_body_size does (null: no proxy; the API server itself takes any size).
    /// </summary>
    public long? UploadLimit { get; set; }

    /// <summary>Answer the next <paramref name="count"/> matching requests with <paramref name="code"/> (500, 503 or 429).</summary>
    public void FailNext(int count, int code = 500, string? method = null, string? pathPrefix = null)
    {
        lock (_lock)
        {
            _errors.Arm(count, method, pathPrefix);
            _errorCode = code;
        }
    }

    /// <summary>Answer this fraction (0..1) of requests with <paramref name="code"/>.</summary>
    public void FailRate(double rate, int code = 500)
    {
        lock (_lock)
        {
            _errorRate = rate;
            _errorCode = code;
        }
    }

    /// <summary>Answer the next <paramref name="count"/> PATCH/PUT requests under <paramref name="pathPrefix"/> with 409 Conflict.</summary>
    public void ConflictNext(int count, string? pathPrefix = null)
    {
        lock (_lock)
        {
            _conflicts.Arm(count, null, pathPrefix);
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> watches under <paramref name="pathPrefix"/> that ask for a resourceVersion are
    /// told it is too old (one ERROR event with a 410 Status), as when a compaction lands between a client's LIST
    /// and its WATCH: the client must LIST again.
    /// </summary>
    public void ExpireNextWatches(int count, string? pathPrefix = null)
    {
        lock (_lock)
        {
            _expiries.Arm(count, null, pathPrefix);
        }
    }

    /// <summary>True when this watch is to be told its resourceVersion expired (counts it down).</summary>
    internal bool TakeWatchExpiry(string path)
    {
        lock (_lock)
        {
            return _expiries.TryTake("GET", path);
        }
    }

    /// <summary>Ends every watch stream open now, as an API server restart or a load balancer does; later watches are unaffected.</summary>
    public void CutWatches()
    {
        CancellationTokenSource cut;
        lock (_lock)
        {
            cut = _watchCut;
            _watchCut = new CancellationTokenSource();
        }

        // Not disposed: a watch starting right now may still link to its token (a cancelled one ends at once).
        cut.Cancel();
    }

    /// <summary>
    /// Reset the connection of this fraction (0..1) of requests, at a point drawn from the seeded generator: while the
    /// request arrives (nothing handled), or half-way through the answer (handled — a write is applied — but the
    /// client never reads the whole answer). Watches are reset only while they arrive.
    /// </summary>
    public void ResetRate(double rate)
    {
        lock (_lock)
        {
            _resetRate = rate;
        }
    }

    /// <summary>
    /// Reset the connection of the next <paramref name="count"/> matching requests at <paramref name="point"/> (null:
    /// drawn); with a <paramref name="stride"/> n, of one matching request in every n, serving those between.
    /// </summary>
    public void ResetNext(int count, ConnectionReset? point = null, string? method = null, string? pathPrefix = null, int stride = 1)
    {
        lock (_lock)
        {
            _resets.Arm(count, method, pathPrefix, stride);
            _resetPoint = point;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _resetRate = 0;
            _resets.Clear();
            _errors.Clear();
            _errorRate = 0;
            _conflicts.Clear();
            _expiries.Clear();
            DropWatchesAfterEvents = null;
            Latency = TimeSpan.Zero;
            UploadLimit = null;
        }
    }

    /// <summary>Where to reset this request's connection, or null to serve it.</summary>
    internal ConnectionReset? InjectedReset(string method, string path, bool watch)
    {
        lock (_lock)
        {
            ConnectionReset? point = null;
            if (_resets.TryTake(method, path))
            {
                point = _resetPoint ?? Draw();
            }
            else if (_resetRate > 0 && _random.NextDouble() < _resetRate)
            {
                point = Draw();
            }

            return watch && point is not null ? ConnectionReset.WhileArriving : point;
        }
    }

    private ConnectionReset Draw() => _random.Next(2) == 0 ? ConnectionReset.WhileArriving : ConnectionReset.MidAnswer;

    /// <summary>The error code to answer this request with, or null to serve it.</summary>
    internal int? InjectedError(string method, string path)
    {
        lock (_lock)
        {
            if (_errors.TryTake(method, path))
            {
                return _errorCode;
            }

            if (_errorRate > 0 && _random.NextDouble() < _errorRate)
            {
                return _errorCode;
            }

            if (method is "PATCH" or "PUT" && _conflicts.TryTake(method, path))
            {
                return 409;
            }

            return null;
        }
    }
}

/// <summary>Where an injected reset cuts the connection.</summary>
public enum ConnectionReset
{
    /// <summary>Before the request is handled: the server never acts on it.</summary>
    WhileArriving,

    /// <summary>After the request is handled, half-way through the answer's body.</summary>
    MidAnswer,
}
