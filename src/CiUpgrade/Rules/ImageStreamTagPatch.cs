using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The JSON patch that makes a stream's target tag (DockerImage) and `latest` (ImageStreamTag → target) read
/// exactly as the runbook's two `add /spec/tags/-` patches leave them. Unlike the runbook it never sends a
/// duplicate name (a CRD-backed stand-in would keep both, see openshift-api-detail.md §8): an existing entry is
/// replaced by index behind a `test` of its name, and the whole patch is guarded by the resourceVersion read.
/// </summary>
public static class ImageStreamTagPatch
{
    public const string DisplayNameAnnotation = "openshift.io/display-name";

    /// <summary>
    /// The two tags as the runbook writes them; an image the run chose (--system-image) is the target tag's image and
    /// is recorded on it (<see cref="ChosenImage"/>).
    /// </summary>
    public static IReadOnlyList<JsonObject> DesiredTags(ImageStreamStep step, string target, string? imageOverride) =>
    [
        Tag(target, step.DisplayName, "DockerImage", imageOverride ?? step.Image, imageOverride),
        Tag("latest", step.LatestDisplayName, "ImageStreamTag", target, null),
    ];

    /// <summary>The patch operations, or an empty array when the stream already reads as desired.</summary>
    public static JsonArray For(ImageStream stream, ImageStreamStep step, string target, string? imageOverride = null, bool includeLatest = true)
    {
        var ops = new JsonArray();
        var existing = stream.Spec.Tags ?? [];
        var appended = 0;
        foreach (var desired in DesiredTags(step, target, imageOverride).Where(t => includeLatest || (string?)t["name"] != "latest"))
        {
            var name = (string)desired["name"]!;
            var index = IndexOf(existing, name);
            if (index < 0)
            {
                if (existing.Count == 0 && appended == 0)
                {
                    ops.Add(Op("add", "/spec/tags", new JsonArray(desired)));
                }
                else
                {
                    ops.Add(Op("add", "/spec/tags/-", desired));
                }

                appended++;
            }
            else if (!Matches(existing[index], desired))
            {
                ops.Add(Op("test", $"/spec/tags/{index}/name", name));
                ops.Add(Op("replace", $"/spec/tags/{index}", desired));
            }
        }

        if (ops.Count > 0)
        {
            ops.Insert(0, Op("test", "/metadata/resourceVersion", stream.Metadata.ResourceVersion));
        }

        return ops;
    }

    /// <summary>Whether a spec tag already says what the runbook's patch would say.</summary>
    public static bool Matches(TagReference tag, JsonObject desired) =>
        tag.From?.Kind == (string?)desired["from"]!["kind"]
        && tag.From?.Name == (string?)desired["from"]!["name"]
        && string.IsNullOrEmpty(tag.From?.NamespaceProperty)
        && (tag.ReferencePolicy?.Type ?? "Source") == "Source"
        && tag.Reference != true
        && AnnotationOf(tag, DisplayNameAnnotation) == (string?)desired["annotations"]![DisplayNameAnnotation]
        && AnnotationOf(tag, ChosenImage.Annotation) == (string?)desired["annotations"]![ChosenImage.Annotation];

    private static string? AnnotationOf(TagReference tag, string key) =>
        tag.Annotations is not null && tag.Annotations.TryGetValue(key, out var value) ? value : null;

    private static int IndexOf(IList<TagReference> tags, string name)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonObject Tag(string name, string displayName, string kind, string from, string? chosen) => new()
    {
        ["annotations"] = chosen is null
            ? new JsonObject { [DisplayNameAnnotation] = displayName }
            : new JsonObject { [DisplayNameAnnotation] = displayName, [ChosenImage.Annotation] = chosen },
        ["from"] = new JsonObject { ["kind"] = kind, ["name"] = from },
        ["name"] = name,
        ["referencePolicy"] = new JsonObject { ["type"] = "Source" },
    };

    // JsonNode, not JsonObject: JsonArray.Add(JsonNode) is the AOT-safe overload; a JsonObject argument binds to
    // the generic Add<T>, which is RequiresDynamicCode.
    internal static JsonNode Op(string op, string path, JsonNode? value) =>
        new JsonObject { ["op"] = op, ["path"] = path, ["value"] = value };
}
