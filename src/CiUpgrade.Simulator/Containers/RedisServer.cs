using System.Globalization;

namespace CiUpgrade.Simulator.Containers;

/// <summary>
/// One redis DeploymentConfig's server and data volume (/var/lib/redis/data), with the persistence rules the
/// documented restore depends on (../shared/docs/restore.md §3.6, Redis persistence docs): a starting redis loads
/// appendonly.aof when `appendonly yes` (and starts empty when there is none, ignoring dump.rdb), else dump.rdb; a
/// stopping redis with `save` lines writes its memory over dump.rdb; with `appendonly yes` every write goes to the
/// AOF as well; BGREWRITEAOF writes the AOF from memory whatever `appendonly` says. The configuration a server runs
/// with is the one it read when its pod started. Thread-safe.
/// </summary>
public sealed class RedisServer
{
    public const string DataDirectory = "/var/lib/redis/data";
    public const string DumpFile = "dump.rdb";
    public const string AofFile = "appendonly.aof";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, DataContent> _files = new(StringComparer.Ordinal);
    private DataContent _memory;
    private (string Pod, RedisPersistence Config)? _running;

    /// <summary>A server seeded as a healthy install leaves it: the same data in memory, the RDB and the AOF.</summary>
    public RedisServer(DataContent seed, RedisPersistence seedConfig)
    {
        _memory = seed;
        _files[DumpFile] = seed;
        _files[AofFile] = seed;
        SeedConfig = seedConfig;
    }

    /// <summary>What seeded pods (started before anything observed them) run with.</summary>
    public RedisPersistence SeedConfig { get; }

    public DataContent Memory
    {
        get { lock (_lock) { return _memory; } }
    }

    public DataContent? File(string name)
    {
        lock (_lock)
        {
            return _files.GetValueOrDefault(name);
        }
    }

    public IReadOnlyList<string> Files
    {
        get { lock (_lock) { return _files.Keys.Order(StringComparer.Ordinal).ToList(); } }
    }

    /// <summary>The pod started: redis reads its config and loads its data set from the volume.</summary>
    public void Start(string pod, RedisPersistence config)
    {
        lock (_lock)
        {
            _running = (pod, config);
            _memory = config.AppendOnly ? _files.GetValueOrDefault(AofFile) ?? DataContent.Empty : _files.GetValueOrDefault(DumpFile) ?? DataContent.Empty;
            if (config.AppendOnly && !_files.ContainsKey(AofFile))
            {
                _files[AofFile] = DataContent.Empty;
            }
        }
    }

    /// <summary>The pod stopped (SHUTDOWN): with save points, memory is written over dump.rdb.</summary>
    public void Stop(string pod)
    {
        lock (_lock)
        {
            var config = _running is { } r && r.Pod == pod ? r.Config : _running is null ? SeedConfig : null;
            if (config is null)
            {
                return; // not the pod serving (a second pod of a scaled-up redis): nothing of its own to save
            }

            if (config.Saves)
            {
                _files[DumpFile] = _memory;
            }

            _running = null;
        }
    }

    /// <summary>A client writes (a key set, a job queued).</summary>
    public void Write(byte[] entry)
    {
        lock (_lock)
        {
            _memory = _memory.Append(entry);
            if (Config.AppendOnly)
            {
                _files[AofFile] = _memory;
            }
        }
    }

    /// <summary>BGREWRITEAOF: the AOF rebuilt from memory (done at once here; INFO then shows no rewrite in progress).</summary>
    public void RewriteAof()
    {
        lock (_lock)
        {
            _files[AofFile] = _memory;
        }
    }

    /// <summary>A shell in the pod changed the data volume: null content removes the file.</summary>
    public void SetFile(string name, DataContent? content)
    {
        lock (_lock)
        {
            if (content is null)
            {
                _files.Remove(name);
            }
            else
            {
                _files[name] = content;
            }
        }
    }

    /// <summary>`redis-cli info persistence`, the fields the restore reads (redis 3.2 INFO section).</summary>
    public string InfoPersistence()
    {
        var config = Config;
        long aofSize;
        lock (_lock)
        {
            aofSize = _files.GetValueOrDefault(AofFile)?.Length ?? 0;
        }

        return string.Join("\r\n",
            "# Persistence",
            "loading:0",
            "rdb_bgsave_in_progress:0",
            "rdb_last_bgsave_status:ok",
            "aof_enabled:" + (config.AppendOnly ? "1" : "0"),
            "aof_rewrite_in_progress:0",
            "aof_rewrite_scheduled:0",
            "aof_last_bgrewrite_status:ok",
            "aof_last_write_status:ok",
            "aof_current_size:" + aofSize.ToString(CultureInfo.InvariantCulture)) + "\r\n";
    }

    private RedisPersistence Config
    {
        get { lock (_lock) { return _running?.Config ?? SeedConfig; } }
    }
}

/// <summary>What redis.conf says about persistence: `appendonly yes|no` and whether any `save` line is active.</summary>
public sealed record RedisPersistence(bool AppendOnly, bool Saves)
{
    public static RedisPersistence Parse(string? conf)
    {
        var lines = (conf ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var appendOnly = lines.LastOrDefault(l => l.StartsWith("appendonly ", StringComparison.Ordinal)) is { } a && a.EndsWith("yes", StringComparison.Ordinal);
        var saves = lines.Any(l => l.StartsWith("save ", StringComparison.Ordinal) && l != "save \"\"");
        return new RedisPersistence(appendOnly, saves);
    }
}
