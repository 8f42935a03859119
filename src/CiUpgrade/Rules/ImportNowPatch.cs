using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// Re-import a tag whose import failed for its current spec: set the spec tag's generation to 0, which the API
/// server resets to the stream's new generation so the image stream controller imports it again (openshift/api
/// image/v1 types.go TagReference.Generation: "To trigger a new import, clients may set this value to zero which
/// will reset the generation to the latest stream generation"). Chosen over POST imagestreamimports (what
/// `oc import-image` sends) because it needs no permission beyond the `patch imagestreams` the upgrade already has,
/// and the import then runs through the controller exactly like the first one, with the same status to wait on.
/// Empty when the tag's current generation has no failure (nothing to retry, or a re-import already requested).
/// </summary>
public static class ImportNowPatch
{
    public static JsonArray For(ImageStream stream, string tag)
    {
        var tags = stream.Spec.Tags ?? [];
        var index = tags.ToList().FindIndex(t => t.Name == tag);
        if (index < 0 || TagResolution.ImportFailure(stream, tag) is null)
        {
            return [];
        }

        return
        [
            ImageStreamTagPatch.Op("test", "/metadata/resourceVersion", stream.Metadata.ResourceVersion),
            ImageStreamTagPatch.Op("test", $"/spec/tags/{index}/name", tag),
            ImageStreamTagPatch.Op("add", $"/spec/tags/{index}/generation", 0),
        ];
    }
}
