using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// `backup --databases`: each database DC of the install (<see cref="DatabaseDump.All"/>) is dumped through
/// pods/exec in one of its running pods (<see cref="ExecDump"/>: gzip-compressed into the backup as it arrives, a
/// progress line at most every 3 s, size and sha256 in the manifest, no file under the final name when it fails).
/// An Oracle system database lives outside the cluster: it is reported and skipped.
/// </summary>
public sealed class DatabaseBackup(StageContext context, string stage)
{
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
            catch (ExecDumpException e)
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
        var pod = ExecDump.Pick(await context.Client.ListPodsAsync($"deploymentconfig={dc}", ct), dc, latestVersion)
            ?? throw new ExecDumpException($"{dc}: no running and ready pod to dump from (scale the DeploymentConfig up, or run backup without --databases)");
        return await new ExecDump(context, stage).RunAsync(writer, dc, dump.Tool, dump.File, pod.Metadata.Name, pod.Spec.Containers[0].Name, dump.Command, ct);
    }
}
