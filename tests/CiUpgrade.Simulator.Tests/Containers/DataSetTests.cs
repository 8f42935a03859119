using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Containers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Containers;

/// <summary>
/// The data sets behind pods/exec (../shared/docs/restore.md): a dump loaded back gives the same bytes, the 2.7 hook
/// migrates the system database and only a database dropped before the load loses its tables, PostgreSQL refuses
/// to drop a database clients use, and redis keeps a restored dump only through the documented persistence sequence.
/// </summary>
public sealed class DataSetTests : ClusterTest
{
    private const string MysqlRestore = """export MYSQL_PWD="$MYSQL_ROOT_PASSWORD"; mysql -u root -e "DROP DATABASE IF EXISTS \`$MYSQL_DATABASE\`; CREATE DATABASE \`$MYSQL_DATABASE\`" && head -c {0} | mysql -u root "$MYSQL_DATABASE" """;
    private const string MysqlLoadOnly = """export MYSQL_PWD="$MYSQL_ROOT_PASSWORD"; head -c {0} | mysql -u root "$MYSQL_DATABASE" """;
    private const string PsqlRestore = """psql -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS \"$POSTGRESQL_DATABASE\"" -c "CREATE DATABASE \"$POSTGRESQL_DATABASE\" OWNER \"$POSTGRESQL_USER\"" && head -c {0} | psql -v ON_ERROR_STOP=1 -q -d "$POSTGRESQL_DATABASE" """;
    private const string RedisCopy = "cd /var/lib/redis/data && head -c {0} > dump.rdb.ciupgrade && if [ -e appendonly.aof ]; then mv -f appendonly.aof appendonly.aof-old; fi && if [ -e dump.rdb ]; then mv -f dump.rdb dump.rdb-old; fi && mv -f dump.rdb.ciupgrade dump.rdb";
    private const string StorageRestore = "cd /opt/system/public/system && find . -mindepth 1 -delete && head -c {0} | tar -xf - --no-same-owner --no-overwrite-dir";

    private NamespaceWorkloads Data => Cluster.Workloads.In(Ns);

    private JsonObject Pod(string dc) => Cluster.Registry.List("pods", Ns).Items
        .Single(p => p.Label("deploymentconfig") == dc && p["status"].Str("phase") == "Running");

    private async Task<ExecClient.Result> Exec(string dc, string script, byte[]? stdin = null, string? container = null)
    {
        var pod = Pod(dc);
        var result = await ExecClient.RunAsync(Cluster, Ns, pod.Name(), container ?? pod["spec"]!["containers"]![0]!["name"]!.GetValue<string>(), ["bash", "-c", script.Trim()],
            stdin is null ? null : new MemoryStream(stdin), ct: Timeout);
        return result;
    }

    private static string Script(string format, byte[] data) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, data.Length);

    private async Task RolloutAsync(string dc)
    {
        var (code, _, _) = await Api().SendAsync(HttpMethod.Post, $"/apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/{dc}/instantiate",
            $$"""{"kind":"DeploymentRequest","apiVersion":"apps.openshift.io/v1","name":"{{dc}}","latest":true,"force":true}""");
        Assert.Equal(System.Net.HttpStatusCode.Created, code);
        await Cluster.WaitForIdleAsync(Timeout);
    }

    private void EditRedisConfig(Func<string, string> edit) => Cluster.Registry.Modify("configmaps", Ns, "redis-config", cm =>
    {
        cm["data"]!["redis.conf"] = edit((string)cm["data"]!["redis.conf"]!);
        return cm;
    });

    private static string WithoutPersistence(string conf) =>
        string.Join('\n', conf.Split('\n').Select(l => l.StartsWith("save ", StringComparison.Ordinal) ? "#" + l : l == "appendonly yes" ? "appendonly no" : l));

    [Fact]
    public async Task Each_database_dump_loaded_back_after_a_change_gives_the_same_bytes()
    {
        foreach (var client in new[] { "zync", "zync-que" })
        {
            Cluster.Registry.Modify("deploymentconfigs", Ns, client, dc =>
            {
                dc["spec"]!["replicas"] = 0;
                return dc;
            });
        }

        await Cluster.WaitForIdleAsync(Timeout);
        foreach (var (dc, restore) in new[] { ("system-mysql", MysqlRestore), ("zync-database", PsqlRestore) })
        {
            var before = await Exec(dc, dc == "system-mysql" ? "exec mysqldump --single-transaction -u root \"$MYSQL_DATABASE\"" : "exec pg_dump --clean --if-exists \"$POSTGRESQL_DATABASE\"");
            Assert.True(before.Succeeded, before.Stderr);
            var db = Data.Database(dc);
            db.Apply([db.Table("written_later", ["1,'x'"])]);
            Assert.Contains("written_later", db.Tables);

            var loaded = await Exec(dc, Script(restore, before.Stdout), before.Stdout);

            Assert.True(loaded.Succeeded, loaded.Stderr);
            Assert.Equal(before.Stdout, db.Content.ToArray());
            Assert.DoesNotContain("written_later", db.Tables);
        }
    }

    [Fact]
    public async Task The_27_hook_migrates_the_system_database_and_only_a_database_dropped_before_the_load_loses_the_27_tables()
    {
        var dump = Data.Database("system-mysql").Content.ToArray();
        Cluster.Registry.Modify("deploymentconfigs", Ns, "system-app", dc =>
        {
            dc["spec"]!["strategy"]!["rollingParams"]!["pre"]!["execNewPod"]!["command"] = new JsonArray("bash", "-c",
                "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"x\" && bundle exec rake services:create_backend_apis services:update_metric_owners proxy:update_proxy_rule_owners");
            return dc;
        });
        foreach (var patch in RunbookPatches("amp-system", "AMP system", "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7"))
        {
            var (code, _, _) = await Api().SendAsync(HttpMethod.Patch, $"/apis/image.openshift.io/v1/namespaces/{Ns}/imagestreams/amp-system", patch, "application/json-patch+json");
            Assert.Equal(System.Net.HttpStatusCode.OK, code);
        }

        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Contains(Cluster.HookRuns, r => r.Image.Contains("3scale-amp2", StringComparison.Ordinal) && r.ExitCode == 0);
        var db = Data.Database("system-mysql");
        Assert.Equal([.. Workloads.SystemMigrations26, .. Workloads.SystemMigrations27], db.Migrations);
        Assert.Superset(Workloads.Tables27.ToHashSet(), db.Tables.ToHashSet());

        var plain = await Exec("system-mysql", Script(MysqlLoadOnly, dump), dump);
        Assert.True(plain.Succeeded, plain.Stderr);
        Assert.Equal(Workloads.SystemMigrations26, db.Migrations);
        Assert.Superset(Workloads.Tables27.ToHashSet(), db.Tables.ToHashSet()); // a load re-creates only the tables the dump holds

        var dropped = await Exec("system-mysql", Script(MysqlRestore, dump), dump);
        Assert.True(dropped.Succeeded, dropped.Stderr);
        Assert.Empty(db.Tables.Intersect(Workloads.Tables27));
        Assert.Equal(dump, db.Content.ToArray());
    }

    [Fact]
    public async Task PostgreSQL_refuses_to_drop_a_database_its_clients_are_connected_to()
    {
        var dump = Data.Database("zync-database").Content.ToArray();
        var db = Data.Database("zync-database");
        db.Apply([db.Table("kept", [])]);

        var refused = await Exec("zync-database", Script(PsqlRestore, dump), dump);

        Assert.Equal("1", (string?)refused.Status!["details"]!["causes"]![0]!["message"]);
        Assert.Contains("is being accessed by other users", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("kept", db.Tables);
    }

    [Fact]
    public async Task The_storage_volume_round_trips_through_tar_and_a_restore_removes_files_written_after()
    {
        var archive = await Exec("system-app", "exec tar -C /opt/system/public/system -cf - .", container: "system-master");
        Assert.True(archive.Succeeded, archive.Stderr);
        var volume = Data.Volume("system-storage");
        volume.Write("provider-name/2027/uploaded-after.png", [1, 2, 3], DateTimeOffset.UtcNow);

        var restored = await Exec("system-app", Script(StorageRestore, archive.Stdout), archive.Stdout, container: "system-master");
        var again = await Exec("system-app", "exec tar -C /opt/system/public/system -cf - .", container: "system-master");

        Assert.True(restored.Succeeded, restored.Stderr);
        Assert.DoesNotContain("./provider-name/2027/uploaded-after.png", volume.Paths);
        Assert.Equal(archive.Stdout, again.Stdout);
    }

    [Fact]
    public async Task A_restored_redis_dump_survives_only_the_documented_sequence()
    {
        var backup = Data.Redis("backend-redis").File(RedisServer.DumpFile)!.ToArray();
        var written = Encoding.ASCII.GetBytes("SET written-after-the-backup 1\n");

        // Copied in while redis keeps its save lines: stopping writes memory over the copied dump.rdb.
        Data.Redis("backend-redis").Write(written);
        Assert.True((await Exec("backend-redis", Script(RedisCopy, backup), backup)).Succeeded);
        await RolloutAsync("backend-redis");
        Assert.NotEqual(backup, Data.Redis("backend-redis").Memory.ToArray());

        // The config dance without BGREWRITEAOF: redis then starts with appendonly yes and no AOF, empty.
        EditRedisConfig(WithoutPersistence);
        await RolloutAsync("backend-redis");
        Assert.True((await Exec("backend-redis", Script(RedisCopy, backup), backup)).Succeeded);
        await RolloutAsync("backend-redis");
        Assert.Equal(backup, Data.Redis("backend-redis").Memory.ToArray());
        EditRedisConfig(c => c.Replace("#save ", "save ", StringComparison.Ordinal).Replace("appendonly no", "appendonly yes", StringComparison.Ordinal));
        await RolloutAsync("backend-redis");
        Assert.Equal(0, Data.Redis("backend-redis").Memory.Length);

        // The documented sequence: persistence off, copy, restart, BGREWRITEAOF, persistence back, restart.
        EditRedisConfig(WithoutPersistence);
        await RolloutAsync("backend-redis");
        Assert.True((await Exec("backend-redis", Script(RedisCopy, backup), backup)).Succeeded);
        await RolloutAsync("backend-redis");
        var rewrite = await Exec("backend-redis", "redis-cli BGREWRITEAOF");
        var info = await Exec("backend-redis", "redis-cli info persistence");
        EditRedisConfig(c => c.Replace("#save ", "save ", StringComparison.Ordinal).Replace("appendonly no", "appendonly yes", StringComparison.Ordinal));
        await RolloutAsync("backend-redis");

        Assert.Contains("Background append only file rewriting started", rewrite.Text, StringComparison.Ordinal);
        Assert.Contains("aof_rewrite_in_progress:0", info.Text, StringComparison.Ordinal);
        Assert.Equal(backup, Data.Redis("backend-redis").Memory.ToArray());
        Assert.Equal(backup, (await Exec("backend-redis", "exec cat /var/lib/redis/data/dump.rdb")).Stdout);
        Assert.Contains("dump.rdb-old", Data.Redis("backend-redis").Files);
    }

    [Fact]
    public async Task A_load_cut_off_leaves_what_was_read_and_v5_closes_stdin()
    {
        var dump = Data.Database("system-mysql").Content.ToArray();
        var pod = Pod("system-mysql");
        using var cut = new CancellationTokenSource();
        var half = new CutStream(dump.AsMemory(0, dump.Length / 2), cut);

        var db = Data.Database("system-mysql");
        var start = db.Changes;
        await Assert.ThrowsAnyAsync<Exception>(() => ExecClient.RunAsync(Cluster, Ns, pod.Name(), "system-mysql", ["bash", "-c", Script(MysqlRestore, dump).Trim()], half, ct: cut.Token));
        while (db.Changes < start + 2)
        {
            // the drop, then the load of what was read once the server sees the connection gone
            var next = db.NextChange;
            if (db.Changes < start + 2)
            {
                await next.WaitAsync(Timeout);
            }
        }

        var partial = db.Content.ToArray();
        Assert.InRange(partial.Length, 0, dump.Length / 2);
        Assert.Equal(dump.AsSpan(0, partial.Length).ToArray(), partial);

        // v5.channel.k8s.io can end stdin (KEP-4006): `head -c` of more than was sent then reads what came.
        var v5 = await ExecClient.RunAsync(Cluster, Ns, pod.Name(), "system-mysql", ["bash", "-c", Script(MysqlRestore, dump).Trim()], new MemoryStream(dump), "v5.channel.k8s.io", Timeout);
        Assert.True(v5.Succeeded, v5.Stderr);
        Assert.Equal(dump, Data.Database("system-mysql").Content.ToArray());
    }

    [Fact]
    public async Task A_pod_a_client_creates_itself_starts_running_and_serves_exec()
    {
        var (code, _, _) = await Api().SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{Ns}/pods", """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"storage-debug"},
             "spec":{"containers":[{"name":"shell","image":"registry.example/system@sha256:1","command":["sleep","3600"],
                                    "volumeMounts":[{"name":"system-storage","mountPath":"/opt/system/public/system"}]}],
                     "volumes":[{"name":"system-storage","persistentVolumeClaim":{"claimName":"system-storage"}}]}}
            """);
        Assert.Equal(System.Net.HttpStatusCode.Created, code);
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal("Running", Cluster.Registry.Get("pods", Ns, "storage-debug")!["status"].Str("phase"));
        var tar = await ExecClient.RunAsync(Cluster, Ns, "storage-debug", "shell", ["sh", "-c", "exec tar -C /opt/system/public/system -cf - ."], ct: Timeout);
        Assert.True(tar.Succeeded, tar.Stderr);
        Assert.Contains("logo-d1f3.png", Encoding.ASCII.GetString(tar.Stdout), StringComparison.Ordinal);
    }

    /// <summary>Gives the bytes it holds, then cancels the exec, as a client killed half-way through its upload.</summary>
    private sealed class CutStream(ReadOnlyMemory<byte> data, CancellationTokenSource cut) : Stream
    {
        private int _at;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _at; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_at == data.Length)
            {
                await cut.CancelAsync();
                await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
            }

            var n = Math.Min(buffer.Length, data.Length - _at);
            data.Slice(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
