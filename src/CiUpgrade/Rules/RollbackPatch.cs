using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// The JSON patches that return a stream's tags and system-app's release env to what a backup holds: each
/// backed-up tag the stream now reads differently is replaced by index, a tag the backup did not have (the
/// target tag) is removed unless it is to be kept, all behind `test` ops; nothing when it already matches.
/// </summary>
public static class RollbackPatch
{
    public static JsonArray ForStream(ImageStream current, JsonObject backup, bool keepNewTags)
    {
        var ops = new JsonArray();
        var saved = (backup["spec"]?["tags"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(t => (string)t["name"]!, StringComparer.Ordinal);
        var tags = current.Spec.Tags ?? [];
        var removals = new List<int>();
        for (var i = 0; i < tags.Count; i++)
        {
            if (saved.TryGetValue(tags[i].Name, out var wanted))
            {
                if (!ImageStreamTagPatch.Matches(tags[i], Comparable(wanted)))
                {
                    ops.Add(ImageStreamTagPatch.Op("test", $"/spec/tags/{i}/name", tags[i].Name));
                    ops.Add(ImageStreamTagPatch.Op("replace", $"/spec/tags/{i}", WithoutGeneration(wanted)));
                }
            }
            else if (!keepNewTags)
            {
                removals.Add(i);
            }
        }

        foreach (var name in saved.Keys.Where(n => tags.All(t => t.Name != n)))
        {
            ops.Add(ImageStreamTagPatch.Op("add", tags.Count == 0 && ops.Count == 0 ? "/spec/tags" : "/spec/tags/-",
                tags.Count == 0 && ops.Count == 0 ? new JsonArray(WithoutGeneration(saved[name])) : WithoutGeneration(saved[name])));
        }

        // Highest index first, so earlier removals do not shift the later ones.
        foreach (var i in removals.OrderDescending())
        {
            ops.Add(ImageStreamTagPatch.Op("test", $"/spec/tags/{i}/name", tags[i].Name));
            ops.Add((JsonNode)new JsonObject { ["op"] = "remove", ["path"] = $"/spec/tags/{i}" });
        }

        if (ops.Count > 0)
        {
            ops.Insert(0, ImageStreamTagPatch.Op("test", "/metadata/resourceVersion", current.Metadata.ResourceVersion));
        }

        return ops;
    }

    /// <summary>Restores the env entry named <paramref name="env"/> of every container to the backup's (a valueFrom reference too).</summary>
    public static JsonArray ForEnv(DeploymentConfig current, JsonObject backup, string env)
    {
        var ops = new JsonArray();
        var savedContainers = backup["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [];
        var containers = current.Spec.Template?.Spec?.Containers ?? [];
        for (var i = 0; i < containers.Count; i++)
        {
            var saved = savedContainers.OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == containers[i].Name)?["env"] as JsonArray;
            var wanted = saved?.OfType<JsonObject>().FirstOrDefault(e => (string?)e["name"] == env);
            var j = containers[i].Env?.ToList().FindIndex(e => e.Name == env) ?? -1;
            if (wanted is null || j < 0)
            {
                continue;
            }

            var currentEntry = k8s.KubernetesJson.Serialize(containers[i].Env![j]);
            if (!JsonNode.DeepEquals(JsonNode.Parse(currentEntry), wanted))
            {
                ops.Add(ImageStreamTagPatch.Op("test", $"/spec/template/spec/containers/{i}/env/{j}/name", env));
                ops.Add(ImageStreamTagPatch.Op("replace", $"/spec/template/spec/containers/{i}/env/{j}", wanted.DeepClone()));
            }
        }

        if (ops.Count > 0)
        {
            ops.Insert(0, ImageStreamTagPatch.Op("test", "/metadata/resourceVersion", current.Metadata.ResourceVersion));
        }

        return ops;
    }

    private static JsonObject WithoutGeneration(JsonObject tag)
    {
        var copy = tag.DeepClone().AsObject();
        copy.Remove("generation");
        return copy;
    }

    /// <summary>The saved tag in the shape <see cref="ImageStreamTagPatch.Matches"/> compares.</summary>
    private static JsonObject Comparable(JsonObject tag) => new()
    {
        ["from"] = new JsonObject { ["kind"] = (string?)tag["from"]?["kind"], ["name"] = (string?)tag["from"]?["name"] },
        ["annotations"] = new JsonObject { [ImageStreamTagPatch.DisplayNameAnnotation] = (string?)tag["annotations"]?[ImageStreamTagPatch.DisplayNameAnnotation] },
    };

    /// <summary>The pre hook command back to the backup's (guarded like update-prehook's patch); nothing when it matches or the backup has none.</summary>
    public static JsonArray ForPreHook(DeploymentConfig current, JsonObject backup) =>
        PreHookCommand.Saved(backup) is not { } saved || PreHookCommand.PathFor(current) is null ? [] : PreHookCommand.Patch(current, saved);
}
