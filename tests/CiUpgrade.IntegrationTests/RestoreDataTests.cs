using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Containers;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// rollback after the 2.7 migration ran (issue 20, review N3): refused without --restore-data, naming the dumps and the
/// command; with it, Red Hat's documented restore in its order, ending in the pre-upgrade install, data included.
/// </summary>
public class RestoreDataTests : UpgradeTest
{
    private string Backups => Path.Combine(Dir, "backups");

    private NamespaceWorkloads Data => Cluster.Workloads.In(Ns);

    private static readonly string[] DataSets = ["system-mysql", "zync-database"];

    private Dictionary<string, string> Snapshot() => new(StringComparer.Ordinal)
    {
        ["system-mysql"] = Data.Database("system-mysql").Content.Sha256(),
        ["zync-database"] = Data.Database("zync-database").Content.Sha256(),
        ["backend-redis"] = Data.Redis("backend-redis").Memory.Sha256(),
        ["system-redis"] = Data.Redis("system-redis").Memory.Sha256(),
        ["system-storage"] = string.Join(",", Data.Volume("system-storage").Paths),
        ["replicas"] = string.Join(",", Cluster.Registry.List("deploymentconfigs", Ns).Items.OrderBy(d => d.Name(), StringComparer.Ordinal).Select(d => $"{d.Name()}={d["spec"].Long("replicas")}")),
        ["redis-config"] = (string)Get("configmaps", "redis-config")["data"]!["redis.conf"]!,
    };

    protected async Task UpgradeWithDataBackupAsync()
    {
        foreach (var stage in new[] { ["preflight"], ["backup", "--backup-dir", Backups, "--databases"], ["update-prehook"], ["patch-imagestreams"], new[] { "set-release" } })
        {
            var (code, output, error) = await Ciupgrade(stage);
            Assert.True(code == 0, $"{stage[0]} exited {code}: {error}\n{output}");
        }
    }

    [Fact]
    public async Task After_the_migration_rollback_refuses_without_restore_data_naming_the_dumps_and_the_command()
    {
        await UpgradeWithDataBackupAsync();
        Cluster.ClearRequests();

        var (code, output, error) = await Ciupgrade("rollback", "--backup-dir", Backups);

        Assert.Equal(4, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.True(error.Contains("the 2.7 migration has run on the system database (deployment system-app-3 ran the 2.7 pre hook on registry.redhat.io/3scale-amp2/system-rhel7@sha256:", StringComparison.Ordinal), error);
        Assert.Contains($"--backup-dir {LatestBackup(Backups)} --restore-data`: it restores system-mysql.sql.gz (", error, StringComparison.Ordinal);
        Assert.Contains("everything written since that backup is lost", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" or "DELETE" || (r.Method == "POST" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal)));
        Assert.DoesNotContain("[rollback] data restore", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_upgrade_then_rollback_restore_data_ends_in_a_verified_26_install_and_a_second_upgrade_passes_verify()
    {
        var before = Snapshot();
        await UpgradeWithDataBackupAsync();
        Assert.Contains("backend_apis", Data.Database("system-mysql").Tables);
        Data.Volume("system-storage").Write("provider-name/2026/written-after-the-backup.png", [1, 2, 3], DateTimeOffset.UtcNow);

        var (code, output, error) = await Ciupgrade("rollback", "--backup-dir", Backups, "--restore-data");

        Assert.True(code == 0, error + "\n" + output);
        Assert.True(output.Contains("[rollback] data restore: the 2.7 migration has run", StringComparison.Ordinal), output);
        Assert.Contains("ran `bundle exec rake zync:resync:domains` in pod system-sidekiq-", output, StringComparison.Ordinal);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(before, Snapshot());
        Assert.Equal(Workloads.SystemMigrations26, Data.Database("system-mysql").Migrations);
        Assert.Empty(Data.Database("system-mysql").Tables.Intersect(Workloads.Tables27));
        Assert.Equal(1, Data.Resyncs);
        Assert.DoesNotContain(Cluster.Registry.List("pods", Ns).Items, p => p.Name() == "ciupgrade-restore-storage");

        var (preflight, preflightOutput, _) = await Ciupgrade("preflight");
        Assert.Equal(0, preflight);
        Assert.Contains("ready to upgrade 3scale from 2.6 to 2.7", preflightOutput, StringComparison.Ordinal);
        Cluster.ClearRequests();
        Assert.Equal(0, (await Ciupgrade("rollback", "--backup-dir", Backups, "--restore-data")).Code);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" or "DELETE" || (r.Method == "POST" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal)));

        await UpgradeWithDataBackupAsync();
        await VerifyAsync(0);
        Assert.Contains("backend_apis", Data.Database("system-mysql").Tables);
    }

    [Fact]
    public async Task Progress_writes_whose_answers_are_cut_again_and_again_are_judged_from_what_is_stored()
    {
        var before = Snapshot();
        await UpgradeWithDataBackupAsync();
        // Every other progress write is applied but its answer lost; its resend meets a 409 (the resourceVersion moved),
        // and so does the write after the re-read: each round must find its own write stored rather than give up.
        Cluster.HttpFaults.ResetNext(12, Simulator.Api.ConnectionReset.MidAnswer, "PUT", $"/api/v1/namespaces/{Ns}/configmaps/ciupgrade-restore", stride: 2);

        var (code, output, error) = await Ciupgrade("rollback", "--backup-dir", Backups, "--restore-data");

        Assert.True(code == 0, error + "\n" + output);
        Assert.Contains(Cluster.Requests, r => r is { Method: "PUT", StatusCode: 409 } && r.Path.EndsWith("/ciupgrade-restore", StringComparison.Ordinal));
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Restore_data_refuses_a_backup_without_the_dumps_before_its_first_write()
    {
        await UpgradeAsync(); // its backup took no --databases
        Cluster.ClearRequests();

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Path.Combine(Dir, "backup"), "--restore-data");

        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("cannot restore the data: it has no dump of system-mysql (take backups with --databases)", error, StringComparison.Ordinal);
        Assert.Contains("it has no archive of system-storage", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" or "DELETE" || (r.Method == "POST" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Restore_data_refuses_a_dump_that_is_not_the_one_the_manifest_records()
    {
        await UpgradeWithDataBackupAsync();
        var dump = Path.Combine(LatestBackup(Backups), "system-mysql.sql.gz");
        await using (var file = File.Create(dump))
        await using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        {
            await gzip.WriteAsync("DROP TABLE accounts;\n"u8.ToArray());
        }

        Cluster.ClearRequests();

        var (code, _, error) = await Ciupgrade("rollback", "--backup-dir", Backups, "--restore-data");

        Assert.Equal(2, code);
        Assert.Contains("system-mysql.sql.gz", error, StringComparison.Ordinal);
        Assert.Contains("sha256", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" or "DELETE" || (r.Method == "POST" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal)));
        Assert.Contains("backend_apis", Data.Database("system-mysql").Tables);
    }

    [Fact]
    public async Task Restore_data_dry_run_prints_every_step_and_the_data_and_sends_nothing()
    {
        await UpgradeWithDataBackupAsync();
        Cluster.ClearRequests();

        var (code, output, error) = await Ciupgrade("rollback", "--backup-dir", Backups, "--restore-data", "--dry-run");

        Assert.True(code == 0, error);
        Assert.Contains("[rollback] data restore: the 2.7 migration has run", output, StringComparison.Ordinal);
        foreach (var step in new[]
                 {
                     "step 1: would record the replicas of system-app (", "step 2: would return system-app's pre hook",
                     "would drop and re-create the database of system-mysql and load system-mysql.sql.gz (", "would empty ",
                     "would drop and re-create the database of zync-database", "BGREWRITEAOF", "would scale the writers back",
                     "would roll out backend-worker, then system-app", "zync:resync:domains", "nothing was sent",
                 })
        {
            Assert.Contains(step, output, StringComparison.Ordinal);
        }

        Assert.Contains("would send JSON patch", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" or "DELETE" || (r.Method == "POST" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal)));
        Assert.Contains("backend_apis", Data.Database("system-mysql").Tables);
    }
}
