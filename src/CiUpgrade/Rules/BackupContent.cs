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
    /// <summary>The saved tags of each stream, in the shape <see cref="PreUpgradeCheck"/> judges.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SavedTag>> Tags => Streams.ToDictionary(
        s => s.Key,
        s => (IReadOnlyList<SavedTag>)((JsonArray)s.Value["spec"]!["tags"]!).OfType<JsonObject>()
            .Select(t => new SavedTag(BackupValidation.Str(t["name"])!, BackupValidation.Str(BackupValidation.At(t, out _, "from", "kind")), BackupValidation.Str(BackupValidation.At(t, out _, "from", "name"))))
            .ToList(),
        StringComparer.Ordinal);
}
