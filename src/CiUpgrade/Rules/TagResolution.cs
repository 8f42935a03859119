using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// What a tag resolves to for consumers (library-go pkg/image/imageutil/helpers.go ResolveLatestTaggedImage):
/// the newest event's dockerImageReference with referencePolicy Source, or internal-registry@digest with Local.
/// </summary>
public static class TagResolution
{
    public static string? Resolve(ImageStream stream, string tag)
    {
        var item = stream.Status?.Tags?.FirstOrDefault(t => t.Tag == tag)?.Items?.FirstOrDefault();
        if (item is null)
        {
            return null;
        }

        var policy = stream.Spec.Tags?.FirstOrDefault(t => t.Name == tag)?.ReferencePolicy?.Type;
        if (policy == "Local" && !string.IsNullOrEmpty(item.Image) && !string.IsNullOrEmpty(stream.Status?.DockerImageRepository))
        {
            return $"{stream.Status.DockerImageRepository}@{item.Image}";
        }

        return item.DockerImageReference;
    }

    /// <summary>
    /// The failed-import condition on a tag when it is the answer to the tag's current spec (its generation is the spec
    /// tag's generation or newer). An older failure is history: the controller imports again for the newer generation
    /// (imagestream_controller.go tagNeedsImport), so it is not the current answer (review D12).
    /// </summary>
    public static TagEventCondition? ImportFailure(ImageStream stream, string tag)
    {
        var generation = stream.Spec.Tags?.FirstOrDefault(t => t.Name == tag)?.Generation ?? 0;
        return LastImportFailure(stream, tag) is { } failure && failure.Generation >= generation ? failure : null;
    }

    /// <summary>The tag's failed-import condition whatever its generation (for messages about a tag with no image).</summary>
    public static TagEventCondition? LastImportFailure(ImageStream stream, string tag) =>
        stream.Status?.Tags?.FirstOrDefault(t => t.Tag == tag)?.Conditions?
            .FirstOrDefault(c => c.Type == "ImportSuccess" && c.Status == "False");

    /// <summary>Whether the tag's newest import (success or failure) has caught up with its spec generation.</summary>
    public static bool ImportSettled(ImageStream stream, string tag)
    {
        var spec = stream.Spec.Tags?.FirstOrDefault(t => t.Name == tag);
        var status = stream.Status?.Tags?.FirstOrDefault(t => t.Tag == tag);
        if (spec is null || status is null)
        {
            return false;
        }

        var observed = Math.Max(status.Items?.FirstOrDefault()?.Generation ?? 0, status.Conditions?.Select(c => c.Generation).DefaultIfEmpty(0).Max() ?? 0);
        return observed >= (spec.Generation ?? 0);
    }

    /// <summary>"amp-system:latest" → ("amp-system", "latest").</summary>
    public static (string Stream, string Tag)? Split(string? imageStreamTag)
    {
        var colon = imageStreamTag?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0 ? (imageStreamTag![..colon], imageStreamTag[(colon + 1)..]) : null;
    }
}
