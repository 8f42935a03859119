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

    public static Baseline Read(string path)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            var ns = (string?)json?["namespace"];
            if (json?["images"] is not JsonObject images || ns is null)
            {
                throw new UpgradeException(ExitCode.BadInput, $"{path} is not a baseline: it needs \"namespace\" and \"images\" (write one with verify --write-baseline)");
            }

            return new Baseline(ns, images.ToDictionary(kv => kv.Key,
                kv => (IReadOnlyDictionary<string, string>)(kv.Value as JsonObject ?? []).ToDictionary(c => c.Key, c => (string?)c.Value ?? string.Empty, StringComparer.Ordinal),
                StringComparer.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot read the baseline {path}: {e.Message} (check --baseline)");
        }
    }
}
