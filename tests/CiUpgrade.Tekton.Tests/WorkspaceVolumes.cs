using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// A PipelineRun's workspace binding made into the directory a step sees, from the objects of the pipeline cluster, as
/// the kubelet mounts the volume: a `secret` volume shows each data key as a file (or only its `items`, at their
/// paths); a `projected` volume the union of its secret sources (kubernetes pkg/volume/secret and projected). A
/// missing Secret fails unless the source is optional, as the pod would not start.
/// </summary>
public static class WorkspaceVolumes
{
    public static string Mount(JsonObject binding, ResourceRegistry pipelineCluster, string ns, string directory)
    {
        Directory.CreateDirectory(directory);
        if (binding["secret"] is JsonObject secret)
        {
            Project(pipelineCluster, ns, (string)secret["secretName"]!, secret["items"] as JsonArray, (bool?)secret["optional"] == true, directory);
        }
        else if (binding["projected"] is JsonObject projected)
        {
            foreach (var source in projected["sources"]!.AsArray().OfType<JsonObject>())
            {
                var s = source["secret"]?.AsObject() ?? throw new NotSupportedException($"projected source {source.ToJsonString()} is not mounted by this runner");
                Project(pipelineCluster, ns, (string)s["name"]!, s["items"] as JsonArray, (bool?)s["optional"] == true, directory);
            }
        }
        else if (binding["emptyDir"] is null)
        {
            throw new NotSupportedException($"workspace binding {binding.ToJsonString()} is not mounted by this runner");
        }

        return directory;
    }

    private static void Project(ResourceRegistry cluster, string ns, string name, JsonArray? items, bool optional, string directory)
    {
        var secret = cluster.Get("secrets", ns, name);
        if (secret is null)
        {
            Assert.True(optional, $"the pod cannot start: secret \"{name}\" not found in namespace {ns} of the pipeline cluster");
            return;
        }

        var data = secret["data"]?.AsObject() ?? [];
        var keys = items?.OfType<JsonObject>().Select(i => ((string)i["key"]!, (string)i["path"]!)).ToList()
            ?? data.Select(d => (d.Key, d.Key)).ToList();
        foreach (var (key, path) in keys)
        {
            Assert.True(data.ContainsKey(key), $"the pod cannot start: secret \"{name}\" has no key {key}");
            var file = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, Convert.FromBase64String((string)data[key]!));
        }
    }

    /// <summary>A Secret of the pipeline cluster, as `oc create secret generic NAME --from-file=KEY=FILE` makes it.</summary>
    public static JsonObject Secret(string name, IReadOnlyDictionary<string, string> data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["type"] = "Opaque",
        ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)Convert.ToBase64String(Encoding.UTF8.GetBytes(d.Value))))),
    };
}
