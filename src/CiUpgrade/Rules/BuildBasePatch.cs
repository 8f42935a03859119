using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// The JSON patch that points the Oracle BuildConfig's Docker base at amp-system:&lt;target&gt;, as the 2.7 template's
/// build.yml does through AMP_RELEASE; guarded by a `test` of the resourceVersion read; empty when it already does.
/// </summary>
public static class BuildBasePatch
{
    public static JsonArray For(BuildConfig config, string imageStream, string target)
    {
        var wanted = $"{imageStream}:{target}";
        var from = config.Spec.Strategy?.DockerStrategy?.From;
        if (from?.Kind == "ImageStreamTag" && from.Name == wanted && string.IsNullOrEmpty(from.NamespaceProperty))
        {
            return [];
        }

        return
        [
            ImageStreamTagPatch.Op("test", "/metadata/resourceVersion", config.Metadata.ResourceVersion),
            ImageStreamTagPatch.Op("replace", "/spec/strategy/dockerStrategy/from", new JsonObject { ["kind"] = "ImageStreamTag", ["name"] = wanted }),
        ];
    }
}
