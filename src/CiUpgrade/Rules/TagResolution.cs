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

    /// <summary>The failed-import condition on a tag, if its newest import failed.</summary>
    public static TagEventCondition? ImportFailure(ImageStream stream, string tag) =>
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
