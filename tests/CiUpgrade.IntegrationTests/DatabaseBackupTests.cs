using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CiUpgrade.IntegrationTests;

/// <summary>`backup --databases`: dumps through pods/exec over WebSocket, gzip-compressed as they stream (issue 10 part 3).</summary>
public sealed class DatabaseBackupTests(Xunit.Abstractions.ITestOutputHelper output) : UpgradeTest
{
    private string Backups => Path.Combine(Dir, "backups");

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static (long Length, string Head) Gunzip(string file)
    {
        using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        var head = new byte[16];
        var read = gzip.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var buffer = new byte[81920];
        long length = read;
        int n;
        while ((n = gzip.Read(buffer)) > 0)
        {
            length += n;
        }

        return (length, Encoding.ASCII.GetString(head, 0, read));
    }

    [Fact]
    public async Task Each_database_is_dumped_through_exec_into_a_gzip_file_with_its_size_and_sha256_and_no_credential_leaves_the_pod()
    {
        Cluster.DatabaseDumps.SetSize(Ns, "system-mysql", 3_000_000);
        var password = (string)Get("deploymentconfigs", "system-mysql")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Single(e => (string?)e!["name"] == "MYSQL_ROOT_PASSWORD")!["value"]!;
        Assert.True(password.Length >= 8);

        var (code, output, error) = await Ciupgrade("backup", "--backup-dir", Backups, "--databases");

        Assert.True(code == 0, error + output);
        var dir = LatestBackup(Backups);
        var databases = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "manifest.json")))!["databases"]!.AsObject();
        Assert.Equal(["backend-redis", "system-mysql", "system-redis", "zync-database"], databases.Select(d => d.Key).Order());
        foreach (var (dc, head, size) in new[] { ("system-mysql", "-- MySQL dump", 3_000_000L), ("zync-database", "--\n-- PostgreSQL", 65536L), ("backend-redis", "REDIS0007", 65536L), ("system-redis", "REDIS0007", 65536L) })
        {
            var entry = databases[dc]!;
            var file = Path.Combine(dir, (string)entry["file"]!);
            Assert.Equal(size, (long)entry["bytes"]!);
            Assert.Equal(Sha256(file), (string?)entry["sha256"]);
            Assert.Equal(new FileInfo(file).Length, (long)entry["fileBytes"]!);
            var (length, start) = Gunzip(file);
            Assert.Equal(size, length);
            Assert.StartsWith(head, start, StringComparison.Ordinal);
            Assert.Contains($"[backup] {dc}: ", output, StringComparison.Ordinal);
        }

        var execs = Cluster.Requests.Where(r => r.Path.EndsWith("/exec", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, execs.Count); // the four databases and system-storage
        Assert.All(execs, r => Assert.Equal(101, r.StatusCode));
        Assert.Contains(execs, r => Uri.UnescapeDataString(r.Query).Contains("MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\"", StringComparison.Ordinal));
        Assert.DoesNotContain(password, string.Join("\n", execs.Select(r => Uri.UnescapeDataString(r.Query))) + output + error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(dir, "*.partial"));
    }

    [Fact]
    public async Task System_storage_is_saved_as_a_gzip_tar_of_the_volume_read_in_a_system_app_pod()
    {
        var (code, output, error) = await Ciupgrade("backup", "--backup-dir", Backups, "--databases");

        Assert.True(code == 0, error + output);
        var dir = LatestBackup(Backups);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "manifest.json")))!;
        var entry = manifest["storage"]!["system-storage"]!;
        var file = Path.Combine(dir, "system-storage.tar.gz");
        Assert.Equal(("tar", "system-storage.tar.gz", "/opt/system/public/system"), ((string?)entry["tool"], (string?)entry["file"], (string?)entry["path"]));
        Assert.Equal(Sha256(file), (string?)entry["sha256"]);
        Assert.Equal(Sha256(file), (string?)manifest["files"]!["system-storage.tar.gz"]!["sha256"]);
        await using var tar = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
        await using var reader = new System.Formats.Tar.TarReader(tar);
        var names = new List<string>();
        while (await reader.GetNextEntryAsync() is { } item)
        {
            names.Add(item.Name);
        }

        Assert.Equal(Cluster.Workloads.In(Ns).Volume("system-storage").Paths, names);
        Assert.Contains("[backup] system-storage: tar in pod system-app-", output, StringComparison.Ordinal);
        var exec = Assert.Single(Cluster.Requests, r => r.Path.EndsWith("/exec", StringComparison.Ordinal) && r.Path.Contains("/system-app-", StringComparison.Ordinal));
        Assert.Contains("container=system-master", exec.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_dump_fails_the_stage_with_exit_5_keeps_the_rest_and_leaves_no_file_under_its_name()
    {
        Cluster.DatabaseDumps.SetSize(Ns, "zync-database", 1_000_000);
        Cluster.DatabaseDumps.Fail(Ns, "zync-database", afterBytes: 100_000, exitCode: 1, stderr: "pg_dump: error: query failed: ERROR:  permission denied for table integrations");

        var (code, _, error) = await Ciupgrade("backup", "--backup-dir", Backups, "--databases");

        Assert.True(code == 5, error);
        Assert.Contains("zync-database: pg_dump in pod zync-database-1-", error, StringComparison.Ordinal);
        Assert.True(error.Contains("failed (exit 1) after 97.7 KiB: pg_dump: error: query failed: ERROR:  permission denied for table integrations", StringComparison.Ordinal), error);
        var dir = LatestBackup(Backups);
        Assert.False(File.Exists(Path.Combine(dir, "zync-database.sql.gz")));
        Assert.Empty(Directory.EnumerateFiles(dir, "*.partial"));
        Assert.True(File.Exists(Path.Combine(dir, "system-mysql.sql.gz")));
        Assert.True(File.Exists(Path.Combine(dir, "imagestreams.json")));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "manifest.json")))!;
        Assert.Contains("failed (exit 1)", (string?)manifest["databases"]!["zync-database"]!["error"], StringComparison.Ordinal);
        Assert.True(manifest["preUpgrade"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Without_databases_no_exec_is_sent()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Backups, "--databases=false")).Code);

        Assert.DoesNotContain(Cluster.Requests, r => r.Path.EndsWith("/exec", StringComparison.Ordinal));
        Assert.Null(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(LatestBackup(Backups), "manifest.json")))!["databases"]);
    }

    [Fact]
    public async Task Kubectl_exec_runs_in_a_database_pod_over_the_websocket_protocol()
    {
        var pod = Cluster.Registry.List("pods", Ns).Items.First(p => (string?)p["metadata"]!["labels"]!["deploymentconfig"] == "system-mysql");

        var (code, stdout, stderr) = await Shell(Kubeconfig, $"kubectl exec -n {Ns} {pod["metadata"]!["name"]} -- sh -c 'echo hello from the pod'");
        var (failed, _, failedErr) = await Shell(Kubeconfig, $"kubectl exec -n {Ns} {pod["metadata"]!["name"]} -- nosuchtool");

        Assert.True(code == 0, stderr);
        Assert.Equal("hello from the pod\n", stdout);
        Assert.Equal(127, failed);
        Assert.Contains("command terminated with exit code 127", failedErr, StringComparison.Ordinal);
    }

    /// <summary>
    /// 200 MiB through the stage run as its own process (as Tekton runs it), with the managed heap capped at 32 MiB
    /// (DOTNET_GCHeapHardLimit: a dump held in memory would fail the stage), and GNU time reporting the process's peak
    /// RSS: it must not grow with the dump — within 24 MiB of the same stage dumping 64 KiB (a 40 MB demuxer queue
    /// or the dump in memory would not be). Memory is what is asserted; how long it takes is not.
    /// </summary>
    [Fact]
    public async Task A_200_MiB_dump_streams_with_a_capped_heap_and_a_peak_rss_that_does_not_grow_with_the_dump()
    {
        var small = await PeakRssOfBackupAsync(64 * 1024, "small");
        var large = await PeakRssOfBackupAsync(200L * 1024 * 1024, "large");

        output.WriteLine($"peak RSS of the backup stage: {small} KiB dumping 64 KiB, {large} KiB dumping 200 MiB (managed heap capped at 32 MiB)");
        Assert.True(large - small < 24 * 1024, $"peak RSS {large} KiB with a 200 MiB dump, {small} KiB with 64 KiB");
    }

    private async Task<long> PeakRssOfBackupAsync(long size, string name)
    {
        Cluster.DatabaseDumps.SetSize(Ns, "system-mysql", size);
        var backups = Path.Combine(Dir, name);
        Assert.True(File.Exists("/usr/bin/time"), "GNU time (/usr/bin/time) is needed to read the stage's peak RSS");
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x2000000";
        foreach (var arg in new[] { "-f", "peak-rss-kb=%M", "dotnet", Path.Combine(AppContext.BaseDirectory, "ciupgrade.dll"),
            "backup", "--databases", "--backup-dir", backups, "--kubeconfig", Kubeconfig, "--timeout", "30m" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(30)).Token);
        var error = await stderr;

        Assert.True(process.ExitCode == 0, error + await stdout);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(LatestBackup(backups), "manifest.json")))!;
        Assert.Equal(size, (long)manifest["databases"]!["system-mysql"]!["bytes"]!);
        return long.Parse(error.Split('\n').Last(l => l.StartsWith("peak-rss-kb=", StringComparison.Ordinal))["peak-rss-kb=".Length..], CultureInfo.InvariantCulture);
    }
}
