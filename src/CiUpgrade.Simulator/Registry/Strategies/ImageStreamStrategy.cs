using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>
/// openshift-apiserver's image stream rules (pkg/image/apiserver/registry/imagestream/strategy.go and
/// pkg/image/apis/image/v1/conversion.go): spec.tags is a map keyed by tag name, generations follow
/// the spec, status is server-owned, and ImageStreamTag tags resolve synchronously.
/// </summary>
public sealed partial class ImageStreamStrategy : IResourceStrategy
{
    /// <summary>The internal registry host that Decorate puts into status.dockerImageRepository (OCP 4 default).</summary>
    public const string InternalRegistry = "image-registry.openshift-image-registry.svc:5000";

    public ResourceType Type { get; } = new("image.openshift.io", "v1", "ImageStream", "imagestreams", "imagestream", true,
        ["is"], ["create", "delete", "get", "list", "patch", "update", "watch"], ["imagestreams/status"]);

    public void PrepareForCreate(JsonObject obj)
    {
        obj.Meta()["generation"] = 1;
        NormalizeTags(obj);
        foreach (var tag in obj.Obj("spec")["tags"].Objects())
        {
            tag["generation"] = 1;
        }

        obj["status"] = new JsonObject { ["dockerImageRepository"] = string.Empty };
        ImageStreamTags.ResolveChangedTrackingTags(obj, null);
    }

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        updated["status"] = old["status"]?.DeepClone();
        NormalizeTags(updated);
        var oldGeneration = old.Meta().Long("generation");
        var oldTags = ImageStreamTags.SpecTags(old);

        // A user may only set a tag generation to 0 ("import now"); otherwise an unchanged tag keeps
        // its stored generation (updateSpecTagGenerationsForUpdate), so omitting it is not a change.
        foreach (var tag in updated.Obj("spec")["tags"].Objects())
        {
            var name = tag.Str("name") ?? string.Empty;
            var requested = tag["generation"] is null ? (long?)null : tag.Long("generation");
            if (requested != 0 && oldTags.TryGetValue(name, out var previous) && !TagRefChanged(previous, tag))
            {
                tag["generation"] = previous["generation"]?.DeepClone();
            }
            else if (requested != 0)
            {
                tag["generation"] = null; // new or changed: set below to the new stream generation
            }
        }

        var specChanged = !JsonNode.DeepEquals(updated["spec"], old["spec"]);
        var generation = specChanged ? oldGeneration + 1 : oldGeneration;
        updated.Meta()["generation"] = generation;
        foreach (var tag in updated.Obj("spec")["tags"].Objects())
        {
            if (tag["generation"] is null || tag.Long("generation") == 0)
            {
                tag["generation"] = generation;
            }
        }

        ImageStreamTags.ResolveChangedTrackingTags(updated, old);
    }

    public void PrepareForStatusUpdate(JsonObject updated, JsonObject old)
    {
        updated["spec"] = old["spec"]?.DeepClone();
        updated.Meta()["generation"] = old.Meta()["generation"]?.DeepClone();
        ImageStreamTags.FollowTrackedTags(updated);
    }

    public IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject? old)
    {
        var errors = NameValidation.Check(obj.Name()).ToList();
        if (obj["spec"].Str("dockerImageRepository") is { Length: > 0 } repository && ImageReference.Error(repository) is { } repositoryError)
        {
            errors.Add(new FieldError("spec.dockerImageRepository", "FieldValueInvalid", $"Invalid value: \"{repository}\": {repositoryError}"));
        }

        var i = 0;
        foreach (var tag in obj.Obj("spec")["tags"].Objects())
        {
            var name = tag.Str("name") ?? string.Empty;
            if (!TagName().IsMatch(name))
            {
                errors.Add(new FieldError($"spec.tags[{i}].name", "FieldValueInvalid", $"Invalid value: \"{name}\": must be a valid tag name"));
            }

            if (tag["from"] is JsonObject from)
            {
                var kind = from.Str("kind");
                if (kind is not ("DockerImage" or "ImageStreamTag" or "ImageStreamImage"))
                {
                    errors.Add(new FieldError($"spec.tags[{name}].from.kind", "FieldValueInvalid",
                        $"Invalid value: \"{kind}\": valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'"));
                }

                if (string.IsNullOrEmpty(from.Str("name")))
                {
                    errors.Add(new FieldError($"spec.tags[{name}].from.name", "FieldValueRequired", "Required value"));
                }
                else if (kind == "DockerImage" && ImageReference.Error(from.Str("name")!) is { } invalid)
                {
                    // ValidateImageStreamTagReference (origin pkg/image/apis/image/validation/validation.go).
                    errors.Add(new FieldError($"spec.tags[{name}].from.name", "FieldValueInvalid", $"Invalid value: \"{from.Str("name")}\": {invalid}"));
                }
            }

            i++;
        }

        return errors;
    }

    public void Decorate(JsonObject obj)
    {
        // Strategy.Decorate fills the internal registry location on every read.
        obj.Obj("status")["dockerImageRepository"] = $"{InternalRegistry}/{obj.Namespace()}/{obj.Name()}";
    }

    /// <summary>
    /// The v1 tag list becomes a map keyed by name: a later entry with the same name replaces the
    /// earlier one, and the list reads back sorted (Convert_v1_TagReferenceArray_to_api_TagReferenceMap,
    /// Convert_image_TagReferenceMap_to_v1_TagReferenceArray in pkg/image/apis/image/v1/conversion.go).
    /// </summary>
    public static void NormalizeTags(JsonObject stream)
    {
        var spec = stream.Obj("spec");
        spec["lookupPolicy"] ??= new JsonObject { ["local"] = false };
        if (spec["tags"] is not JsonArray tags)
        {
            return;
        }

        var byName = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var tag in tags.OfType<JsonObject>())
        {
            var copy = tag.Clone();
            copy["annotations"] ??= null;
            var policy = copy["referencePolicy"] as JsonObject;
            if (policy is null || string.IsNullOrEmpty(policy.Str("type")))
            {
                copy["referencePolicy"] = new JsonObject { ["type"] = "Source" };
            }

            var import = copy.Obj("importPolicy");
            import["importMode"] ??= "Legacy";
            if (import["insecure"] is JsonValue insecure && insecure.TryGetValue<bool>(out var b) && !b)
            {
                import.Remove("insecure");
            }

            byName[copy.Str("name") ?? string.Empty] = copy;
        }

        spec["tags"] = new JsonArray(byName.Values.Cast<JsonNode>().ToArray());
        if (stream["status"] is JsonObject status && status["tags"] is JsonArray statusTags)
        {
            status["tags"] = new JsonArray(statusTags.OfType<JsonObject>()
                .GroupBy(t => t.Str("tag") ?? string.Empty).Select(g => g.Last().Clone())
                .OrderBy(t => t.Str("tag"), StringComparer.Ordinal).Cast<JsonNode>().ToArray());
        }
    }

    /// <summary>tagRefChanged in strategy.go: a different source means a new generation and a new import.</summary>
    private static bool TagRefChanged(JsonObject old, JsonObject updated) =>
        !JsonNode.DeepEquals(old["from"], updated["from"])
        || old.Bool("reference") != updated.Bool("reference")
        || old["importPolicy"].Str("importMode") != updated["importPolicy"].Str("importMode");

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagName();
}
