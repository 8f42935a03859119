using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Tekton.Tests;

/// <summary>The YAML documents under tekton/ and the vendored CRD schemas, as JSON nodes.</summary>
public static class TektonFiles
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "tekton");

    /// <summary>Every document of every file, with its file for messages.</summary>
    public static IReadOnlyList<(string File, JsonObject Doc)> Documents() =>
        Directory.GetFiles(Root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => YamlJson.ParseAll(File.ReadAllText(f)).OfType<JsonObject>().Select(d => (Path.GetRelativePath(Root, f), d)))
            .ToList();

    public static JsonObject Find(string kind, string name) =>
        Documents().Select(d => d.Doc).Single(d => (string?)d["kind"] == kind && d.Name() == name);

    /// <summary>The openAPIV3Schema the CRD of (group, kind) serves for <paramref name="version"/>.</summary>
    public static JsonObject? Schema(string group, string kind, string version)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Schemas"), "*.yaml"))
        {
            foreach (var crd in YamlJson.ParseAll(File.ReadAllText(file)).OfType<JsonObject>())
            {
                if ((string?)crd["spec"]?["group"] == group && (string?)crd["spec"]?["names"]?["kind"] == kind)
                {
                    var served = crd["spec"]!["versions"]!.AsArray().OfType<JsonObject>().FirstOrDefault(v => (string?)v["name"] == version);
                    return served?["schema"]?["openAPIV3Schema"] as JsonObject ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
                }
            }
        }

        return null;
    }
}
