using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// The images every DC container runs, as `verify --write-baseline` and `backup` (manifest.json) record them:
/// `{"namespace": …, "release": …, "images": {"<dc>": {"<container>": "<image>"}}}`.
/// </summary>
public sealed record Baseline(string Namespace, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Images)
{
    public static JsonObject ImagesOf(IEnumerable<DeploymentConfig> dcs) => new(dcs.OrderBy(d => d.Metadata.Name, StringComparer.Ordinal)
        .Select(d => KeyValuePair.Create(d.Metadata.Name, (JsonNode?)new JsonObject(
            (d.Spec.Template?.Spec?.InitContainers ?? []).Concat(d.Spec.Template?.Spec?.Containers ?? [])
                .Select(c => KeyValuePair.Create(c.Name, (JsonNode?)c.Image))))));

    public static void Write(string path, string ns, string? release, IEnumerable<DeploymentConfig> dcs)
    {
        try
        {
            var json = new JsonObject { ["namespace"] = ns, ["release"] = release, ["images"] = ImagesOf(dcs) };
            File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the baseline {path}: {e.Message}");
        }
    }

    /// <summary>Reads and checks a baseline: every field of the right type, or one line naming the field (exit 2).</summary>
    public static Baseline Read(string path)
    {
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot read the baseline {path}: {e.Message} (check --baseline)");
        }

        UpgradeException Bad(string field, string problem) =>
            new(ExitCode.BadInput, $"baseline {path}: {field} {problem} (write one with verify --write-baseline, or pass a backup's manifest.json)");

        if (json is not JsonObject root)
        {
            throw Bad("the document", "must be a JSON object with \"namespace\" and \"images\"");
        }

        if (root["namespace"] is not JsonValue nsValue || !nsValue.TryGetValue<string>(out var ns) || ns.Length == 0)
        {
            throw Bad("namespace", "must be a non-empty string");
        }

        if (root["images"] is not JsonObject images)
        {
            throw Bad("images", "must be an object of DeploymentConfig names");
        }

        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (dc, containers) in images)
        {
            if (containers is not JsonObject byContainer)
            {
                throw Bad($"images.{dc}", "must be an object of container names and images");
            }

            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (container, image) in byContainer)
            {
                if (image is not JsonValue value || !value.TryGetValue<string>(out var text))
                {
                    throw Bad($"images.{dc}.{container}", "must be an image string");
                }

                map[container] = text;
            }

            result[dc] = map;
        }

        return new Baseline(ns, result);
    }
}
