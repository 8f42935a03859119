using System.Text.Json;
using System.Text.Json.Nodes;

namespace CiUpgrade.Rules;

/// <summary>
/// Where a data restore (`rollback --restore-data`) stands, kept in the namespace in ConfigMap `ciupgrade-restore`
/// (key `progress.json`) so that a rerun — after a kill at any point, from any machine or Tekton pod — knows what is
/// done, the writers' replica counts from before it scaled them down, redis-config as it was, and the version each
/// rollout it started began from. In the cluster rather than the backup directory: the backup stays as it was written
/// (its sums must keep matching; the Tekton rollback mounts it read-only), and the state lives beside what it
/// describes, guarded by the namespace lock and the ConfigMap's resourceVersion. After the restore it stays, marked
/// done, with system-app's version then (<see cref="RestoredThrough"/>): the deployments up to it ran before the data
/// went back, so a rerun does not take their migration for a new one.
/// </summary>
public sealed class RestoreProgress
{
    public const string ConfigMapName = "ciupgrade-restore";
    public const string Key = "progress.json";

    /// <summary>The backup directory restored (its name), and when it was taken.</summary>
    public required string Backup { get; init; }

    public string? BackupTime { get; init; }

    public string? RunId { get; init; }

    public bool Done { get; set; }

    public long RestoredThrough { get; set; }

    /// <summary>The steps completed, in order.</summary>
    public List<string> Steps { get; init; } = [];

    /// <summary>Each writer's spec.replicas before the restore scaled it to 0.</summary>
    public Dictionary<string, int> Replicas { get; init; } = new(StringComparer.Ordinal);

    /// <summary>redis.conf of ConfigMap redis-config before persistence was turned off.</summary>
    public string? RedisConfig { get; set; }

    /// <summary>For each rollout the restore starts (`&lt;step&gt;`), the DC's latestVersion before it: started once it is higher.</summary>
    public Dictionary<string, long> Rollouts { get; init; } = new(StringComparer.Ordinal);

    public bool Has(string step) => Steps.Contains(step);

    public void Complete(string step)
    {
        if (!Has(step))
        {
            Steps.Add(step);
        }
    }

    public string ToJson() => new JsonObject
    {
        ["backup"] = Backup,
        ["backupTime"] = BackupTime,
        ["runId"] = RunId,
        ["done"] = Done,
        ["restoredThrough"] = RestoredThrough,
        ["steps"] = new JsonArray(Steps.Select(s => (JsonNode)s).ToArray()),
        ["replicas"] = new JsonObject(Replicas.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["redisConfig"] = RedisConfig,
        ["rollouts"] = new JsonObject(Rollouts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The progress a ConfigMap holds, or null when it is not one ciupgrade wrote (then it is refused, not overwritten).</summary>
    public static RestoreProgress? Parse(string? json)
    {
        try
        {
            if (JsonNode.Parse(json ?? string.Empty) is not JsonObject o || BackupValidation.Str(o["backup"]) is not { Length: > 0 } backup)
            {
                return null;
            }

            return new RestoreProgress
            {
                Backup = backup,
                BackupTime = BackupValidation.Str(o["backupTime"]),
                RunId = BackupValidation.Str(o["runId"]),
                Done = o["done"] is JsonValue d && d.TryGetValue<bool>(out var done) && done,
                RestoredThrough = o["restoredThrough"] is JsonValue r && r.TryGetValue<long>(out var through) ? through : 0,
                Steps = (o["steps"] as JsonArray ?? []).Select(BackupValidation.Str).OfType<string>().ToList(),
                Replicas = (o["replicas"] as JsonObject ?? []).Where(kv => kv.Value is JsonValue v && v.TryGetValue<int>(out _))
                    .ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<int>(), StringComparer.Ordinal),
                RedisConfig = BackupValidation.Str(o["redisConfig"]),
                Rollouts = (o["rollouts"] as JsonObject ?? []).Where(kv => kv.Value is JsonValue v && v.TryGetValue<long>(out _))
                    .ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<long>(), StringComparer.Ordinal),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
