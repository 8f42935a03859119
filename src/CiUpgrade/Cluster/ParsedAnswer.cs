using System.Net;

namespace CiUpgrade.Cluster;

/// <summary>
/// The content of an answer whose body was read into objects as it arrived (<see cref="TransientRetryHandler.ReadAnswer"/>)
/// instead of being buffered: the objects, no bytes.
/// </summary>
internal sealed class ParsedAnswer(object? value) : HttpContent
{
    public object? Value { get; } = value;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Task.CompletedTask;

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return true;
    }
}
