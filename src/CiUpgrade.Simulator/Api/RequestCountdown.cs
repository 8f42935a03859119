namespace CiUpgrade.Simulator.Api;

/// <summary>
/// "The next N requests with this method under this path" for one of <see cref="HttpFaults"/>' knobs: armed with a
/// count, a method and a path prefix (null: any), and counted down by every request that matches (or, with a stride
/// n, by one matching request in every n: the others are served, so a client's resend can get through between two
/// faults). Not thread-safe: its owner holds a lock.
/// </summary>
internal sealed class RequestCountdown
{
    private int _left;
    private string? _method;
    private string? _pathPrefix;
    private int _stride = 1;
    private int _seen;

    public void Arm(int count, string? method = null, string? pathPrefix = null, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        _left = count;
        _method = method;
        _pathPrefix = pathPrefix;
        _stride = stride;
        _seen = 0;
    }

    public void Clear() => _left = 0;

    /// <summary>True (and one fewer left) when this request is one of those counted.</summary>
    public bool TryTake(string method, string path)
    {
        if (_left <= 0 || (_method is not null && _method != method) || (_pathPrefix is not null && !path.StartsWith(_pathPrefix, StringComparison.Ordinal)))
        {
            return false;
        }

        if (_seen++ % _stride != 0)
        {
            return false;
        }

        _left--;
        return true;
    }
}
