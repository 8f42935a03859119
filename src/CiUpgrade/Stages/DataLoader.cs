using System.Buffers;
using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;

namespace CiUpgrade.Stages;

/// <summary>
/// Streams one gzip file of the backup, decompressed as it goes, into a command's stdin in a pod through pods/exec:
/// one 64 KiB buffer from the file to the connection (memory bounded whatever the size; the connection's flow control
/// holds the reader back while the pod is busy), a progress line at most every 3 s, and the command's result: exit 0,
/// and exactly the uncompressed size the manifest recorded sent, or the stage fails (exit 5) naming the pod, the exit
/// code and the tool's last line, for a rerun to load it again.
/// </summary>
public sealed class DataLoader(StageContext context, string stage)
{
    private const int ChunkSize = 64 * 1024;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);

    /// <summary>What the command printed on stdout (its last 4 KiB).</summary>
    public async Task<string> LoadAsync(string name, string file, long bytes, string pod, string container, IReadOnlyList<string> command, CancellationToken ct)
    {
        context.Reporter.Event(stage, "load", $"{name}: loading {Path.GetFileName(file)} ({ExecDump.Size(bytes)}) into pod {pod}");
        return await new ExecRetry(context, stage).RunAsync(name, c => LoadOnceAsync(name, file, bytes, pod, container, command, c), ct);
    }

    private async Task<string> LoadOnceAsync(string name, string file, long bytes, string pod, string container, IReadOnlyList<string> command, CancellationToken ct)
    {
        long sent = 0;
        var lastReport = context.Time.GetUtcNow();
        var stdout = new StringBuilder();
        Cluster.ExecResult result;
        try
        {
            result = await context.Client.ExecAsync(pod, container, command, (data, _) =>
            {
                stdout.Append(Encoding.UTF8.GetString(data.Span));
                if (stdout.Length > 4096)
                {
                    stdout.Remove(0, stdout.Length - 4096);
                }

                return ValueTask.CompletedTask;
            }, ct, async (send, c) =>
            {
                await using var input = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    int n;
                    while ((n = await input.ReadAsync(buffer.AsMemory(0, ChunkSize), c)) > 0)
                    {
                        if (sent + n > bytes)
                        {
                            throw new InvalidDataException($"{Path.GetFileName(file)} holds more than the {bytes} bytes the manifest records");
                        }

                        await send(buffer.AsMemory(0, n), c);
                        sent += n;
                        var now = context.Time.GetUtcNow();
                        if (now - lastReport >= ProgressInterval)
                        {
                            lastReport = now;
                            context.Reporter.Event(stage, "load-progress", $"{name}: {ExecDump.Size(sent)} of {ExecDump.Size(bytes)} loaded");
                        }
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            });
        }
        catch (Exception e) when (e is WebSocketException or IOException && e is not InvalidDataException)
        {
            throw new IOException($"loading into pod {pod} broke after {ExecDump.Size(sent)} of {ExecDump.Size(bytes)}: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new UpgradeException(ExitCode.BadInput, $"{name}: {e.Message}; nothing more was loaded — the backup file changed since it was checked");
        }

        if (result.ExitCode != 0 || sent != bytes)
        {
            var cause = result.ExitCode != 0
                ? $"exit {result.ExitCode}: {(result.StderrTail.Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? result.Message ?? "no message").Trim()}"
                : $"only {sent} of the {bytes} bytes the manifest records were in the file";
            throw new UpgradeException(ExitCode.RolloutFailed,
                $"{name}: loading into pod {pod} failed ({cause}); fix the cause and rerun rollback --restore-data (it loads {name} again)");
        }

        context.Reporter.Event(stage, "loaded", $"{name}: {ExecDump.Size(sent)} loaded into pod {pod}");
        return stdout.ToString();
    }

    /// <summary>Runs a command without stdin (redis-cli, rake) and returns its stdout; a failure is exit 5 naming it.</summary>
    public Task<string> RunAsync(string name, string pod, string container, IReadOnlyList<string> command, CancellationToken ct) =>
        new ExecRetry(context, stage).RunAsync(name, c => RunOnceAsync(name, pod, container, command, c), ct);

    private async Task<string> RunOnceAsync(string name, string pod, string container, IReadOnlyList<string> command, CancellationToken ct)
    {
        var stdout = new StringBuilder();
        var result = await context.Client.ExecAsync(pod, container, command, (data, _) =>
        {
            stdout.Append(Encoding.UTF8.GetString(data.Span));
            return ValueTask.CompletedTask;
        }, ct);
        if (result.ExitCode != 0)
        {
            var cause = (result.StderrTail.Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? result.Message ?? "no message").Trim();
            throw new UpgradeException(ExitCode.RolloutFailed, $"{name}: `{command[^1]}` in pod {pod} failed (exit {result.ExitCode}: {cause}); fix the cause and rerun rollback --restore-data");
        }

        return stdout.ToString();
    }
}
