namespace CiUpgrade.Cluster;

/// <summary>Counts the HTTP requests a client sends (each retry too).</summary>
public sealed class RequestCounter : DelegatingHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
