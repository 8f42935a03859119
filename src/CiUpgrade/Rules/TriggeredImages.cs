using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>The image each trigger-managed container of a DC should run, given the image streams as they are now.</summary>
public static class TriggeredImages
{
    public static IReadOnlyDictionary<string, string> Expected(DeploymentConfig dc, IReadOnlyDictionary<string, ImageStream> streams)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in (dc.Spec.Triggers ?? []).Select(t => t.ImageChangeParams).OfType<ImageChangeParams>())
        {
            if (p.Automatic != true || TagResolution.Split(p.From?.Name) is not var (stream, tag) || !streams.TryGetValue(stream, out var s)
                || TagResolution.Resolve(s, tag) is not { } resolved)
            {
                continue;
            }

            foreach (var container in p.ContainerNames ?? [])
            {
                expected[container] = resolved;
            }
        }

        return expected;
    }
}
