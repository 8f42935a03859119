using System.Globalization;
using System.IO.Compression;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// `backup --databases`: each database DC of the install (<see cref="DatabaseDump.All"/>) is dumped through
/// pods/exec in one of its running pods, gzip-compressed into the backup as it arrives (never held whole in
/// memory), with a progress line per database at most every 3 s and its size and sha256 in the manifest. A dump is
/// written to `&lt;file&gt;.partial` and renamed only when the command exited 0, so a failed one leaves no file under
/// the final name. An Oracle system database lives outside the cluster: it is reported and skipped.
/// </summary>
public sealed class DatabaseBackup(StageContext context, string stage)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);

    /// <summary>The manifest's `databases` object and one line per failed dump (empty when all succeeded).</summary>
    public async Task<(JsonObject Databases, IReadOnlyList<string> Failures)> DumpAsync(BackupWriter writer, InstallSnapshot snapshot, CancellationToken ct)
    {
        var databases = new JsonObject();
        var failures = new List<string>();
        if (snapshot.Oracle)
        {
            const string oracle = "the system database is Oracle, outside the cluster: not dumped here; back it up with Oracle's tools (RMAN or Data Pump)";
            databases["system-oracle"] = new JsonObject { ["skipped"] = oracle };
            context.Reporter.Event(stage, "skipped", oracle);
        }

        foreach (var dump in DatabaseDump.All.Where(d => snapshot.DeploymentConfigs.ContainsKey(d.DeploymentConfig)))
        {
            var latest = snapshot.DeploymentConfigs[dump.DeploymentConfig].Status?.LatestVersion;
            try
            {
                databases[dump.DeploymentConfig] = await DumpOneAsync(writer, dump, latest, ct);
            }
            catch (DumpException e)
            {
                databases[dump.DeploymentConfig] = new JsonObject { ["tool"] = dump.Tool, ["error"] = e.Message };
                failures.Add(e.Message);
                context.Reporter.Event(stage, "dump-failed", e.Message);
            }
        }

        return (databases, failures);
    }

    private async Task<JsonObject> DumpOneAsync(BackupWriter writer, DatabaseDump dump, long? latestVersion, CancellationToken ct)
    {
        var dc = dump.DeploymentConfig;
        var pod = Pick(await context.Client.ListPodsAsync($"deploymentconfig={dc}", ct), dc, latestVersion)
            ?? throw new DumpException($"{dc}: no running and ready pod to dump from (scale the DeploymentConfig up, or run backup without --databases)");
        var podName = pod.Metadata.Name;
        var container = pod.Spec.Containers[0].Name;
        var partial = dump.File + BackupWriter.PartialSuffix;
        context.Reporter.Event(stage, "dump", $"{dc}: {dump.Tool} in pod {podName}");
        long dumped = 0;
        var lastReport = context.Time.GetUtcNow();
        var file = writer.Create(partial);
        Cluster.ExecResult result;
        try
        {
            await using (file.ConfigureAwait(false))
            {
                await using var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                result = await context.Client.ExecAsync(podName, container, dump.Command, async (data, c) =>
                {
                    await gzip.WriteAsync(data, c);
                    dumped += data.Length;
                    var now = context.Time.GetUtcNow();
                    if (now - lastReport >= ProgressInterval)
                    {
                        lastReport = now;
                        context.Reporter.Event(stage, "dump-progress", $"{dc}: {Size(dumped)} so far");
                    }
                }, ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            writer.Discard(partial);
            throw new DumpException($"{dc}: the exec stream from pod {podName} broke after {Size(dumped)}: {e.Message}; rerun backup");
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
            throw new DumpException($"{dc}: {dump.Tool} in pod {podName} failed (exit {result.ExitCode}) after {Size(dumped)}: {cause.Trim()}");
        }

        writer.Rename(partial, dump.File);
        writer.Record(dump.File, file, new JsonObject { ["database"] = dc, ["dumpBytes"] = dumped });
        var entry = new JsonObject
        {
            ["tool"] = dump.Tool,
            ["pod"] = podName,
            ["file"] = dump.File,
            ["bytes"] = dumped,
            ["fileBytes"] = file.BytesWritten,
            ["sha256"] = file.Sha256(),
        };
        context.Reporter.Event(stage, "dumped", $"{dc}: {Size(dumped)} dumped from pod {podName} to {dump.File} ({Size(file.BytesWritten)} gzip, sha256 {file.Sha256()})");
        return entry;
    }

    /// <summary>A running, ready pod of the DC, the latest deployment's first.</summary>
    private static V1Pod? Pick(IReadOnlyList<V1Pod> pods, string dc, long? latestVersion) => pods
        .Where(p => p.Status?.Phase == "Running" && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true && p.Spec?.Containers?.Count > 0)
        .OrderByDescending(p => p.GetLabel("deployment") == $"{dc}-{latestVersion}")
        .ThenByDescending(p => p.Metadata.CreationTimestamp)
        .FirstOrDefault();

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";

    private sealed class DumpException(string message) : Exception(message);
}
