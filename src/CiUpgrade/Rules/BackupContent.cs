using System.Text.Json.Nodes;

namespace CiUpgrade.Rules;

/// <summary>What rollback restores from a backup, after <see cref="BackupValidation"/> checked every field it reads.</summary>
public sealed record BackupContent(
    string Namespace,
    string Release,
    string? Time,
    bool? PreUpgrade,
    bool Oracle,
    string? RunId,
    IReadOnlyDictionary<string, JsonObject> Streams,
    IReadOnlyDictionary<string, JsonObject> DeploymentConfigs,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Images)
{
    /// <summary>The data sets the backup saved (the manifest's `databases` and `storage`), by DC or claim name.</summary>
    public IReadOnlyDictionary<string, BackedUpData> Data { get; init; } = new Dictionary<string, BackedUpData>(StringComparer.Ordinal);

    /// <summary>The saved tags of each stream, in the shape <see cref="PreUpgradeCheck"/> judges.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SavedTag>> Tags => Streams.ToDictionary(
        s => s.Key,
        s => (IReadOnlyList<SavedTag>)((JsonArray)s.Value["spec"]!["tags"]!).OfType<JsonObject>()
            .Select(t => new SavedTag(BackupValidation.Str(t["name"])!, BackupValidation.Str(BackupValidation.At(t, out _, "from", "kind")), BackupValidation.Str(BackupValidation.At(t, out _, "from", "name"))))
            .ToList(),
        StringComparer.Ordinal);
}

/// <summary>
/// One data set of a backup: the gzip file, its uncompressed size (`bytes`, what a load reads from stdin) and sha256,
/// the tool that wrote it, the mount path (system-storage); or why there is none (the dump failed, or was skipped).
/// </summary>
public sealed record BackedUpData(string Name, string? Tool, string? File, long Bytes, string? Sha256, string? Path, string? Missing);
