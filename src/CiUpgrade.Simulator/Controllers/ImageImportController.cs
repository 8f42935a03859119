using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Registry.Strategies;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// Imports DockerImage tags whose spec generation is newer than the last import
/// (openshift-controller-manager pkg/image/controller/imagestream_controller.go, tagNeedsImport) and records
/// the result as openshift-apiserver's imagestreamimport REST does (importSuccessful / setFailureCondition):
/// a tag event with repo@sha256:digest and generation = stream generation + 1, or an ImportSuccess=False condition.
/// </summary>
internal sealed class ImageImportController(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults) : IController
{
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);

    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        var result = default(PassResult);
        foreach (var stream in registry.Store.List("imagestreams", ns).Items)
        {
            var due = new List<string>();
            foreach (var tag in stream["spec"]?["tags"].Objects() ?? [])
            {
                if (!NeedsImport(stream, tag))
                {
                    continue;
                }

                var key = $"{stream.Namespace()}/{stream.Name()}/{tag.Str("name")}/{tag.Long("generation")}";
                var seen = _firstSeen.TryGetValue(key, out var t) ? t : _firstSeen[key] = now;
                if (now - seen >= timing.ImportDelay)
                {
                    due.Add(tag.Str("name")!);
                    _firstSeen.Remove(key);
                }
                else
                {
                    result |= new PassResult(false, true);
                }
            }

            if (due.Count > 0)
            {
                registry.Store.Mutate("imagestreams", stream.Namespace(), stream.Name(), s => Import(s, due, now));
                result |= new PassResult(true, false);
            }
        }

        return result;
    }

    private static bool NeedsImport(JsonObject stream, JsonObject tag)
    {
        if (tag["from"].Str("kind") != "DockerImage" || tag.Bool("reference"))
        {
            return false;
        }

        var status = ImageStreamTags.StatusTag(stream, tag.Str("name") ?? string.Empty);
        var observed = Math.Max(
            status?["items"].Objects().FirstOrDefault()?.Long("generation") ?? 0,
            status?["conditions"].Objects().Where(c => c.Str("type") == "ImportSuccess").Select(c => c.Long("generation")).DefaultIfEmpty(0).Max() ?? 0);
        return tag.Long("generation") > observed;
    }

    private bool Import(JsonObject stream, List<string> tagNames, DateTimeOffset now)
    {
        var next = stream.Meta().Long("generation") + 1;
        var created = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var specTags = ImageStreamTags.SpecTags(stream);
        foreach (var name in tagNames)
        {
            var spec = specTags[name];
            var pullSpec = spec["from"].Str("name")!;
            if (faults.ImportFailureFor(pullSpec) is { } failure)
            {
                var entry = ImageStreamTags.StatusTag(stream, name);
                if (entry is null)
                {
                    entry = new JsonObject { ["tag"] = name, ["items"] = null };
                    stream.Obj("status").Arr("tags").Add(entry);
                }

                entry["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ImportSuccess",
                    ["status"] = "False",
                    ["lastTransitionTime"] = created,
                    ["reason"] = failure.Reason,
                    ["message"] = failure.Message,
                    ["generation"] = next,
                });
            }
            else
            {
                var digest = faults.PinnedDigest(pullSpec) ?? ImageDigests.For(pullSpec);
                ImageStreamTags.AddTagEvent(stream, name, new JsonObject
                {
                    ["created"] = created,
                    ["dockerImageReference"] = $"{ImageDigests.Repository(pullSpec)}@sha256:{digest}",
                    ["image"] = $"sha256:{digest}",
                    ["generation"] = next,
                });
            }

            spec["generation"] = next;
        }

        stream.Meta()["generation"] = next;
        stream.SetAnnotation("openshift.io/image.dockerRepositoryCheck", created);
        stream.Obj("spec")["tags"] = new JsonArray(specTags.Values.OrderBy(t => t.Str("name"), StringComparer.Ordinal)
            .Select(t => t.Clone()).Cast<JsonNode>().ToArray());
        ImageStreamTags.FollowTrackedTags(stream);
        return true;
    }
}
