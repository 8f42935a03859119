using System.Text.RegularExpressions;

namespace CiUpgrade.Rules;

/// <summary>
/// The documented handling of redis-config around a redis restore (2.6 guide, "managing the DeploymentConfig for
/// backend-redis", restated in ../shared/docs/restore.md §3.6): while a dump is put in place redis must run without
/// persistence — its `save` lines commented out (a stopping redis with save points writes its memory over the copied
/// dump.rdb) and `appendonly no` (with appendonly yes redis loads the AOF and ignores the RDB) — and before persistence
/// returns, `BGREWRITEAOF` must build the AOF from what was loaded, or the next start with appendonly yes loads no AOF
/// and starts empty. redis-config is one ConfigMap shared by backend-redis and system-redis.
/// </summary>
public static partial class RedisPersistence
{
    public const string ConfigMap = "redis-config";
    public const string ConfigKey = "redis.conf";
    public const string Marker = "#ciupgrade-restore# ";

    /// <summary>The config with every active `save` line commented out (marked, so nothing else is touched) and appendonly off.</summary>
    public static string Off(string conf) => string.Join('\n', conf.Split('\n').Select(line =>
        SaveLine().IsMatch(line) ? Marker + line
        : AppendOnly().IsMatch(line) ? AppendOnly().Replace(line, "${lead}appendonly no")
        : line));

    /// <summary>`redis-cli info persistence` says an AOF rewrite is neither running nor scheduled, and the last one succeeded (null: not yet).</summary>
    public static bool? RewriteFinished(string info)
    {
        var fields = info.Split('\n').Select(l => l.Trim().Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (fields.GetValueOrDefault("aof_rewrite_in_progress") == "1" || fields.GetValueOrDefault("aof_rewrite_scheduled") == "1")
        {
            return null;
        }

        return fields.GetValueOrDefault("aof_last_bgrewrite_status") == "ok";
    }

    public static IReadOnlyList<string> RewriteAof => DatabaseDump.Shell("redis-cli BGREWRITEAOF");

    public static IReadOnlyList<string> Info => DatabaseDump.Shell("redis-cli info persistence");

    [GeneratedRegex(@"^\s*save\s+\S")]
    private static partial Regex SaveLine();

    [GeneratedRegex(@"^(?<lead>\s*)appendonly\s+yes\s*$")]
    private static partial Regex AppendOnly();
}
