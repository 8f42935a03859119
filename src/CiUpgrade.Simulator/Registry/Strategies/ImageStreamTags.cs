using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>
/// Tag history and resolution rules shared by the strategy, the importer and the trigger controller:
/// openshift-apiserver pkg/image/apiserver/internal/imageutil/helpers.go (AddTagEventToImageStream,
/// UpdateTrackingTags) and library-go pkg/image/imageutil/helpers.go (ResolveLatestTaggedImage).
/// </summary>
public static class ImageStreamTags
{
    public static Dictionary<string, JsonObject> SpecTags(JsonObject stream) =>
        stream["spec"]?["tags"].Objects().GroupBy(t => t.Str("name") ?? string.Empty)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal) ?? [];

    public static JsonObject? LatestItem(JsonObject stream, string tag) =>
        StatusTag(stream, tag)?["items"].Objects().FirstOrDefault();

    public static JsonObject? StatusTag(JsonObject stream, string tag) =>
        stream["status"]?["tags"].Objects().FirstOrDefault(t => t.Str("tag") == tag);

    /// <summary>Prepends a tag event; an event equal to the newest one (same reference and image) is not repeated.</summary>
    public static bool AddTagEvent(JsonObject stream, string tag, JsonObject item)
    {
        var status = stream.Obj("status");
        var tags = status.Arr("tags");
        var entry = StatusTag(stream, tag);
        if (entry is null)
        {
            entry = new JsonObject { ["tag"] = tag, ["items"] = new JsonArray() };
            tags.Add(entry);
        }

        var items = entry["items"] as JsonArray ?? [];
        entry["items"] = items;
        if (items.FirstOrDefault() is JsonObject newest
            && newest.Str("dockerImageReference") == item.Str("dockerImageReference")
            && newest.Str("image") == item.Str("image"))
        {
            // Same image again: only the generation moves, so the importer sees the tag as observed.
            if (item.Long("generation") <= newest.Long("generation"))
            {
                return false;
            }

            newest["generation"] = item.Long("generation");
            return true;
        }

        items.Insert(0, item.Clone());
        entry.Remove("conditions");
        status["tags"] = new JsonArray(tags.OfType<JsonObject>().OrderBy(t => t.Str("tag"), StringComparer.Ordinal)
            .Select(t => t.Clone()).Cast<JsonNode>().ToArray());
        return true;
    }

    /// <summary>
    /// The spec tag that <paramref name="tracker"/> follows inside the same stream ("2.7" or "amp-system:2.7"),
    /// or null when it is not an ImageStreamTag reference into this stream.
    /// </summary>
    public static string? TrackedTag(JsonObject stream, JsonObject tracker)
    {
        if (tracker["from"] is not JsonObject from || from.Str("kind") != "ImageStreamTag")
        {
            return null;
        }

        var ns = from.Str("namespace");
        if (!string.IsNullOrEmpty(ns) && ns != stream.Namespace())
        {
            return null;
        }

        var name = from.Str("name") ?? string.Empty;
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return name;
        }

        return name[..colon] == stream.Name() ? name[(colon + 1)..] : null;
    }

    /// <summary>
    /// tagsChanged in strategy.go: a new or changed ImageStreamTag tag copies the referenced tag's newest
    /// event right away (nothing when that tag has no image yet), then every tracking tag follows.
    /// </summary>
    public static void ResolveChangedTrackingTags(JsonObject updated, JsonObject? old)
    {
        var oldTags = old is null ? [] : SpecTags(old);
        foreach (var tag in updated["spec"]?["tags"].Objects() ?? [])
        {
            var name = tag.Str("name") ?? string.Empty;
            if (oldTags.TryGetValue(name, out var previous) && JsonNode.DeepEquals(previous["from"], tag["from"]))
            {
                continue;
            }

            if (TrackedTag(updated, tag) is { } tracked && LatestItem(updated, tracked) is { } item)
            {
                var copy = item.Clone();
                copy["generation"] = tag.Long("generation");
                AddTagEvent(updated, name, copy);
            }
        }

        FollowTrackedTags(updated);
    }

    /// <summary>UpdateTrackingTags: whenever a tag's newest event changes, tags that track it get the same event.</summary>
    public static void FollowTrackedTags(JsonObject stream)
    {
        foreach (var tag in SpecTags(stream).Values)
        {
            if (TrackedTag(stream, tag) is { } tracked && tracked != tag.Str("name") && LatestItem(stream, tracked) is { } item)
            {
                AddTagEvent(stream, tag.Str("name")!, item);
            }
        }
    }

    /// <summary>
    /// ResolveLatestTaggedImage: the pull spec a consumer (a DC trigger) gets for a tag, per the tag's
    /// referencePolicy: Source → the event's dockerImageReference; Local → internal registry @ image digest.
    /// Null when the tag has no event yet.
    /// </summary>
    public static string? Resolve(JsonObject stream, string tag)
    {
        if (LatestItem(stream, tag) is not { } item)
        {
            return null;
        }

        var policy = SpecTags(stream).GetValueOrDefault(tag)?["referencePolicy"].Str("type");
        var image = item.Str("image");
        if (policy == "Local" && !string.IsNullOrEmpty(image))
        {
            return $"{ImageStreamStrategy.InternalRegistry}/{stream.Namespace()}/{stream.Name()}@{image}";
        }

        return item.Str("dockerImageReference");
    }
}
