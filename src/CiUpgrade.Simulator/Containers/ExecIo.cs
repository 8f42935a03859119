namespace CiUpgrade.Simulator.Containers;

/// <summary>
/// The streams of one exec'd process: stdin as the client sends it (channel 0; it ends only on the v5 protocol's
/// close signal, and a connection that goes away kills the process: <see cref="StdinAbortedException"/>), and stdout.
/// </summary>
public sealed class ExecIo(Stream stdin, Func<ReadOnlyMemory<byte>, CancellationToken, Task> stdout)
{
    public Stream Stdin => stdin;

    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => stdout(data, ct);

    /// <summary>`head -c <paramref name="count"/>`: exactly that many bytes of stdin (fewer only if stdin ends), each chunk to <paramref name="sink"/>.</summary>
    public async Task<long> ReadStdinAsync(long count, Func<ReadOnlyMemory<byte>, Task> sink, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        long read = 0;
        while (read < count)
        {
            var n = await stdin.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - read)), ct);
            if (n == 0)
            {
                break;
            }

            await sink(buffer.AsMemory(0, n));
            read += n;
        }

        return read;
    }
}

/// <summary>The client went away before stdin ended: the process is killed where it was.</summary>
public sealed class StdinAbortedException() : IOException("the exec connection closed before stdin ended: the process was killed");

/// <summary>How an exec'd process ended: its exit code and what it wrote to stderr.</summary>
public sealed record ExecOutcome(int ExitCode, string Stderr)
{
    public static ExecOutcome Ok { get; } = new(0, string.Empty);
}
