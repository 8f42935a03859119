using System.Text.Json.Nodes;

namespace CiUpgrade.Rules;

/// <summary>
/// Checks a backup before rollback sends anything: the manifest names the namespace and release, every saved
/// stream has a name and a `spec.tags` list of named tags, every saved DC a name, no name twice, and every field
/// rollback reads has the JSON type it expects. A file edited by hand or cut short gives a list of problems
/// (each naming the file and field), never an exception.
/// </summary>
public static class BackupValidation
{
    public const string ManifestFile = "manifest.json";
    public const string StreamsFile = "imagestreams.json";
    public const string DeploymentConfigsFile = "deploymentconfigs.json";

    /// <summary>The content, or the problems found (non-empty) and null.</summary>
    public static (BackupContent? Content, IReadOnlyList<string> Problems) Validate(JsonNode? manifest, JsonNode? streams, JsonNode? dcs)
    {
        var problems = new List<string>();
        if (manifest is not JsonObject m)
        {
            return (null, [$"{ManifestFile} is not a JSON object"]);
        }

        var ns = Str(m["namespace"]);
        var release = Str(m["release"]);
        if (string.IsNullOrEmpty(ns))
        {
            problems.Add($"{ManifestFile}: \"namespace\" must be a non-empty string");
        }

        if (string.IsNullOrEmpty(release))
        {
            problems.Add($"{ManifestFile}: \"release\" must be a non-empty string");
        }

        bool? preUpgrade = m["preUpgrade"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => Problem<bool?>(problems, $"{ManifestFile}: \"preUpgrade\" must be true or false", null),
        };
        var oracle = m["oracle"] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => Problem(problems, $"{ManifestFile}: \"oracle\" must be true or false", false),
        };
        if (m["runId"] is { } run && Str(run) is null)
        {
            problems.Add($"{ManifestFile}: \"runId\" must be a string");
        }

        var images = Images(m["images"], problems);
        var data = Data(m, problems);
        var savedStreams = Objects(StreamsFile, streams, problems, ValidateStream);
        var savedDcs = Objects(DeploymentConfigsFile, dcs, problems, ValidateDeploymentConfig);
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new BackupContent(ns!, release!, Str(m["time"]), preUpgrade, oracle, Str(m["runId"]), savedStreams, savedDcs, images) { Data = data }, []);
    }

    /// <summary>
    /// Problems with the manifest's `files` list against the files the backup directory holds: the list must exist
    /// (a backup whose files cannot be checked is not trusted), name every file present (<paramref name="present"/>,
    /// the manifest itself excluded) with a sha256, and every file it names must be there.
    /// </summary>
    public static IReadOnlyList<string> FileListProblems(JsonNode? manifest, IReadOnlyCollection<string> present)
    {
        if (manifest is not JsonObject m || m["files"] is not JsonObject files)
        {
            return [$"{ManifestFile} lists no files with their sha256 (an older backup format, or edited): its files cannot be checked; take a new backup with this version"];
        }

        var problems = new List<string>();
        foreach (var file in present.Where(f => f != ManifestFile && !files.ContainsKey(f)).Order(StringComparer.Ordinal))
        {
            problems.Add($"{file} is not listed in {ManifestFile}");
        }

        foreach (var (file, entry) in files)
        {
            if (Str(At(entry, out _, "sha256")) is not { Length: 64 })
            {
                problems.Add($"{ManifestFile}: files.{file} has no sha256");
            }
            else if (!present.Contains(file))
            {
                problems.Add($"{file} is listed in {ManifestFile} but missing");
            }
        }

        return problems;
    }

    /// <summary>The sha256 the manifest records for <paramref name="file"/> (after <see cref="FileListProblems"/> found none).</summary>
    public static string? RecordedSha256(JsonNode? manifest, string file) => Str(At(manifest, out _, "files", file, "sha256"));

    /// <summary>
    /// The node at a path of object keys; null when absent. <paramref name="wrongType"/> tells whether a step on
    /// the way was there but not an object (what the indexer of <see cref="JsonNode"/> would throw on).
    /// </summary>
    public static JsonNode? At(JsonNode? node, out bool wrongType, params string[] keys)
    {
        wrongType = false;
        foreach (var key in keys)
        {
            if (node is null)
            {
                return null;
            }

            if (node is not JsonObject o)
            {
                wrongType = true;
                return null;
            }

            node = o[key];
        }

        return node;
    }

    /// <summary>The string a node holds, or null when it is absent or of another JSON type.</summary>
    public static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The manifest's `databases` and `storage` entries; a file entry must name its file, uncompressed size and sha256.</summary>
    private static Dictionary<string, BackedUpData> Data(JsonObject manifest, List<string> problems)
    {
        var data = new Dictionary<string, BackedUpData>(StringComparer.Ordinal);
        foreach (var section in new[] { "databases", "storage" })
        {
            if (manifest[section] is null)
            {
                continue;
            }

            if (manifest[section] is not JsonObject entries)
            {
                problems.Add($"{ManifestFile}: \"{section}\" must be an object");
                continue;
            }

            foreach (var (name, node) in entries)
            {
                if (node is not JsonObject entry)
                {
                    problems.Add($"{ManifestFile}: {section}.{name} must be an object");
                    continue;
                }

                var missing = Str(entry["error"]) is { } error ? "its dump failed: " + error : Str(entry["skipped"]) is { } skipped ? "skipped: " + skipped : null;
                var file = Str(entry["file"]);
                var bytes = entry["bytes"] is JsonValue b && b.TryGetValue<long>(out var n) && n >= 0 ? n : (long?)null;
                var sha = Str(entry["sha256"]);
                if (missing is null && (file is null || bytes is null || sha is not { Length: 64 } || file.Contains('/', StringComparison.Ordinal)))
                {
                    problems.Add($"{ManifestFile}: {section}.{name} must name its file, its uncompressed \"bytes\" and its \"sha256\"");
                    continue;
                }

                data[name] = new BackedUpData(name, Str(entry["tool"]), file, bytes ?? 0, sha, Str(entry["path"]), missing);
            }
        }

        return data;
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> Images(JsonNode? node, List<string> problems)
    {
        var images = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (node is null)
        {
            return images;
        }

        if (node is not JsonObject byDc)
        {
            problems.Add($"{ManifestFile}: \"images\" must be an object of DeploymentConfig names");
            return images;
        }

        foreach (var (dc, containers) in byDc)
        {
            if (containers is not JsonObject byContainer || byContainer.Any(c => Str(c.Value) is null))
            {
                problems.Add($"{ManifestFile}: images.{dc} must map container names to image strings");
                continue;
            }

            images[dc] = byContainer.ToDictionary(c => c.Key, c => Str(c.Value)!, StringComparer.Ordinal);
        }

        return images;
    }

    private static Dictionary<string, JsonObject> Objects(string file, JsonNode? node, List<string> problems, Action<string, JsonObject, List<string>> validate)
    {
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        // Written as a JSON array; a List object (what `kubectl get -o json` prints) is accepted too.
        var items = node switch
        {
            JsonArray a => a,
            JsonObject { } o when o["items"] is JsonArray a => a,
            _ => null,
        };
        if (items is null)
        {
            problems.Add($"{file} must hold a JSON list of objects");
            return result;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var name = Str(At(items[i], out _, "metadata", "name"));
            if (items[i] is not JsonObject item || string.IsNullOrEmpty(name))
            {
                problems.Add($"{file}: item {i} has no metadata.name");
                continue;
            }

            if (!result.TryAdd(name, item))
            {
                problems.Add($"{file}: {name} appears more than once");
                continue;
            }

            validate($"{file}: {name}", item, problems);
        }

        return result;
    }

    private static void ValidateStream(string where, JsonObject stream, List<string> problems)
    {
        if (At(stream, out _, "spec", "tags") is not JsonArray tags)
        {
            problems.Add($"{where}: spec.tags must be a list");
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i] as JsonObject;
            var name = Str(tag?["name"]);
            if (tag is null || string.IsNullOrEmpty(name))
            {
                problems.Add($"{where}: spec.tags[{i}] has no name");
                continue;
            }

            if (!names.Add(name))
            {
                problems.Add($"{where}: tag {name} appears more than once");
            }

            if (tag["from"] is { } from && (from is not JsonObject f || !OptionalString(f["kind"]) || !OptionalString(f["name"])))
            {
                problems.Add($"{where}: spec.tags[{i}].from must be an object with string kind and name");
            }

            if (tag["annotations"] is { } annotations && (annotations is not JsonObject a || a.Any(kv => !OptionalString(kv.Value))))
            {
                problems.Add($"{where}: spec.tags[{i}].annotations must map names to strings");
            }
        }
    }

    private static void ValidateDeploymentConfig(string where, JsonObject dc, List<string> problems)
    {
        var containers = At(dc, out var wrongType, "spec", "template", "spec", "containers");
        if (wrongType)
        {
            problems.Add($"{where}: spec.template.spec must be an object");
            return;
        }

        if (containers is null)
        {
            return;
        }

        if (containers is not JsonArray list)
        {
            problems.Add($"{where}: spec.template.spec.containers must be a list");
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject c || Str(c["name"]) is null)
            {
                problems.Add($"{where}: spec.template.spec.containers[{i}] has no name");
                continue;
            }

            if (c["env"] is { } env && (env is not JsonArray entries || entries.Any(e => e is not JsonObject || Str(e["name"]) is null)))
            {
                problems.Add($"{where}: spec.template.spec.containers[{i}].env must be a list of named entries");
            }
        }
    }

    private static bool OptionalString(JsonNode? node) => node is null || Str(node) is not null;

    private static T Problem<T>(List<string> problems, string problem, T value)
    {
        problems.Add(problem);
        return value;
    }
}
