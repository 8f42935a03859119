using System.Globalization;
using System.IO.Compression;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// What a command run in a pod through pods/exec writes to stdout, gzip-compressed into a file of the backup as it
/// arrives (never held whole in memory), with a progress line at most every 3 s and its size and sha256 recorded.
/// The file is written as `&lt;file&gt;.partial` and renamed only when the command exited 0, so a failure leaves no file
/// under the final name; a connection that breaks starts the dump over (<see cref="ExecRetry"/>). Shared by the
/// database dumps and the system-storage archive.
/// </summary>
public sealed class ExecDump(StageContext context, string stage)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);

    /// <summary>The manifest entry (tool, pod, file, bytes, fileBytes, sha256); a failure throws <see cref="ExecDumpException"/>.</summary>
    public async Task<JsonObject> RunAsync(BackupWriter writer, string name, string tool, string file, string pod, string container, IReadOnlyList<string> command, CancellationToken ct)
    {
        context.Reporter.Event(stage, "dump", $"{name}: {tool} in pod {pod}");
        try
        {
            return await new ExecRetry(context, stage).RunAsync(name, c => RunOnceAsync(writer, name, tool, file, pod, container, command, c), ct);
        }
        catch (UpgradeException e) when (e.InnerException is WebSocketException or IOException)
        {
            throw new ExecDumpException($"{name}: {e.InnerException.Message} ({ExecRetry.Attempts} attempts); rerun backup");
        }
    }

    private async Task<JsonObject> RunOnceAsync(BackupWriter writer, string name, string tool, string file, string pod, string container, IReadOnlyList<string> command, CancellationToken ct)
    {
        var partial = file + BackupWriter.PartialSuffix;
        long dumped = 0;
        var lastReport = context.Time.GetUtcNow();
        var output = writer.Create(partial);
        Cluster.ExecResult result;
        try
        {
            await using (output.ConfigureAwait(false))
            {
                await using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
                result = await context.Client.ExecAsync(pod, container, command, async (data, c) =>
                {
                    await gzip.WriteAsync(data, c);
                    dumped += data.Length;
                    var now = context.Time.GetUtcNow();
                    if (now - lastReport >= ProgressInterval)
                    {
                        lastReport = now;
                        context.Reporter.Event(stage, "dump-progress", $"{name}: {Size(dumped)} so far");
                    }
                }, ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            writer.Discard(partial);
            throw new IOException($"the exec stream from pod {pod} broke after {Size(dumped)}: {e.Message}", e);
        }
        catch
        {
            writer.Discard(partial);
            throw;
        }

        if (result.ExitCode != 0)
        {
            writer.Discard(partial);
            var cause = result.StderrTail.Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? result.Message ?? "no message";
            throw new ExecDumpException($"{name}: {tool} in pod {pod} failed (exit {result.ExitCode}) after {Size(dumped)}: {cause.Trim()}");
        }

        writer.Rename(partial, file);
        writer.Record(file, output, new JsonObject { ["dataSet"] = name, ["dumpBytes"] = dumped });
        context.Reporter.Event(stage, "dumped", $"{name}: {Size(dumped)} dumped from pod {pod} to {file} ({Size(output.BytesWritten)} gzip, sha256 {output.Sha256()})");
        return new JsonObject
        {
            ["tool"] = tool,
            ["pod"] = pod,
            ["file"] = file,
            ["bytes"] = dumped,
            ["fileBytes"] = output.BytesWritten,
            ["sha256"] = output.Sha256(),
        };
    }

    /// <summary>A running, ready pod of the DC, the latest deployment's first.</summary>
    public static V1Pod? Pick(IReadOnlyList<V1Pod> pods, string dc, long? latestVersion) => pods
        .Where(p => p.Status?.Phase == "Running" && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true && p.Spec?.Containers?.Count > 0)
        .OrderByDescending(p => p.GetLabel("deployment") == $"{dc}-{latestVersion}")
        .ThenByDescending(p => p.Metadata.CreationTimestamp)
        .FirstOrDefault();

    public static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
}

/// <summary>A dump or archive that failed: the rest of the backup is kept and the stage fails (exit 5).</summary>
public sealed class ExecDumpException(string message) : Exception(message);
