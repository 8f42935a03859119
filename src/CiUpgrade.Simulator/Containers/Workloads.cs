using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Containers;

/// <summary>
/// What runs inside the simulated containers, per namespace: the databases (system-mysql or system-postgresql,
/// zync-database), the two redis servers, the persistent volumes mounted as files (system-storage), and what the
/// 3scale rake tasks do to them. pods/exec reaches them through <see cref="ContainerShell"/>; the replication manager
/// starts and stops redis through <see cref="IPodLifecycle"/>; system-app's pre hook runs the rake tasks. Data a
/// restore loads is kept in a scratch directory of its own (deleted on dispose), never in memory. Not kept in
/// --state-dir: a restarted simulator serves the seed's data again.
/// </summary>
public sealed class Workloads : IPodLifecycle, IDisposable
{
    /// <summary>Schema versions the 2.6 system database has (a stand-in for Rails' schema_migrations of 3scale 2.6).</summary>
    public static readonly IReadOnlyList<string> SystemMigrations26 = ["20190329095541", "20190430120000", "20190603140450"];

    /// <summary>What the 2.7 pre hook's `openshift:deploy` (db:migrate) adds, and the tables its migration tasks fill.</summary>
    public static readonly IReadOnlyList<string> SystemMigrations27 = ["20191007103525", "20191008095207"];

    public static readonly IReadOnlyList<string> Tables27 = ["backend_apis", "backend_api_configs"];

    public static readonly IReadOnlyList<string> ZyncMigrations = ["20181019101631", "20190611091031"];

    private static readonly string[] Redis = ["backend-redis", "system-redis"];
    private readonly ResourceRegistry _registry;
    private readonly ConcurrentDictionary<string, NamespaceWorkloads> _namespaces = new(StringComparer.Ordinal);
    private readonly Lazy<string> _scratch = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "ciupgrade-sim-data-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    });

    public Workloads(ResourceRegistry registry, DatabaseDumps knobs)
    {
        _registry = registry;
        Knobs = knobs;
    }

    /// <summary>Size and failure knobs of the dumps.</summary>
    public DatabaseDumps Knobs { get; }

    internal ResourceRegistry Registry => _registry;

    public NamespaceWorkloads In(string ns) => _namespaces.GetOrAdd(ns, n => new NamespaceWorkloads(n, Knobs));

    /// <summary>A new scratch file for data a restore loads.</summary>
    internal string NewScratchFile() => Path.Combine(_scratch.Value, Guid.NewGuid().ToString("N"));

    public void Started(JsonObject pod)
    {
        if (pod.Label("deploymentconfig") is { } dc && Redis.Contains(dc))
        {
            In(pod.Namespace()).Redis(dc).Start(pod.Name(), RedisPersistence.Parse(RedisConf(pod)));
        }
    }

    public void Stopped(JsonObject pod)
    {
        if (pod.Label("deploymentconfig") is { } dc && Redis.Contains(dc))
        {
            In(pod.Namespace()).Redis(dc).Stop(pod.Name());
        }
    }

    /// <summary>
    /// system-app's pre hook ran <paramref name="tasks"/> on <paramref name="image"/>: on a 2.7 image `openshift:deploy`
    /// (db:migrate) adds the 2.7 schema, and the 2.7 tasks (when the hook got that far) fill the new tables, rewrite
    /// the service config in backend-redis and queue jobs in system-redis. On a 2.6 image db:migrate finds nothing
    /// to do (the 2.7 tasks do not exist there: the hook fails before them).
    /// </summary>
    public void RakeTasksRan(string ns, string image, IReadOnlyList<string> tasks, bool failed)
    {
        if (image.Contains("/3scale-amp26/", StringComparison.Ordinal) || !tasks.Contains("openshift:deploy"))
        {
            return;
        }

        var data = In(ns);
        if (SystemDatabase(ns) is not { } system)
        {
            return;
        }

        var db = data.Database(system);
        db.Apply([db.Table("schema_migrations", SystemMigrations27.Select(v => $"'{v}'"), rowsOnly: true),
            .. Tables27.Select(t => db.Table(t, []))]);
        if (!failed && tasks.Contains("services:create_backend_apis"))
        {
            db.Apply([db.Table("backend_apis", ["1,'api-1'", "2,'api-2'"], rowsOnly: true)]);
            data.Redis("backend-redis").Write(Encoding.ASCII.GetBytes("SET backend_api/1 {\"service\":1}\nSET backend_api/2 {\"service\":2}\n"));
            data.Redis("system-redis").Write(Encoding.ASCII.GetBytes("RPUSH queue:default {\"class\":\"BackendApiConfigSync\"}\n"));
        }
    }

    /// <summary>`bundle exec rake zync:resync:domains` ran in a system pod.</summary>
    public string ResyncDomains(string ns)
    {
        In(ns).RecordResync();
        return "Resyncing domains: 1 provider, 2 proxies\n";
    }

    /// <summary>The system database's DC in the namespace (system-mysql, else system-postgresql), or null (Oracle, or none).</summary>
    public string? SystemDatabase(string ns) =>
        new[] { "system-mysql", "system-postgresql" }.FirstOrDefault(dc => _registry.Get("deploymentconfigs", ns, dc) is not null);

    /// <summary>redis.conf as the pod's redis-config volume holds it (read when the container starts).</summary>
    private string? RedisConf(JsonObject pod)
    {
        foreach (var volume in pod["spec"]?["volumes"].Objects() ?? [])
        {
            if (volume["configMap"].Str("name") is { } name && _registry.Get("configmaps", pod.Namespace(), name) is { } configMap
                && configMap["data"].Str("redis.conf") is { } conf)
            {
                return conf;
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (_scratch.IsValueCreated && Directory.Exists(_scratch.Value))
        {
            Directory.Delete(_scratch.Value, recursive: true);
        }
    }
}

/// <summary>The data sets of one namespace, each created with its seed content when first used.</summary>
public sealed class NamespaceWorkloads(string ns, DatabaseDumps knobs)
{
    private readonly ConcurrentDictionary<string, SqlDatabase> _databases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisServer> _redis = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StorageVolume> _volumes = new(StringComparer.Ordinal);
    private int _resyncs;

    /// <summary>How many times `zync:resync:domains` ran.</summary>
    public int Resyncs => Volatile.Read(ref _resyncs);

    public SqlDatabase Database(string dc) => _databases.GetOrAdd(dc, d =>
    {
        var dialect = d == "system-mysql" ? "mysql" : "postgresql";
        var migrations = d == "zync-database" ? Workloads.ZyncMigrations : Workloads.SystemMigrations26;
        return new SqlDatabase(dialect, DataContent.Generated(SqlDatabase.SeedHeader(dialect, migrations), d, () => knobs.SizeFor(ns, d)));
    });

    public RedisServer Redis(string dc) => _redis.GetOrAdd(dc, d =>
        new RedisServer(DataContent.Generated("REDIS0007", d, () => knobs.SizeFor(ns, d)), new RedisPersistence(AppendOnly: true, Saves: true)));

    /// <summary>The files of PersistentVolumeClaim <paramref name="claim"/> (system-storage is seeded with a portal's files).</summary>
    public StorageVolume Volume(string claim) => _volumes.GetOrAdd(claim, c => c == "system-storage" ? StorageVolume.Seeded() : new StorageVolume());

    internal void RecordResync() => Interlocked.Increment(ref _resyncs);
}
