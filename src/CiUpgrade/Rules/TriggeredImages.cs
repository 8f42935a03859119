using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>The image each trigger-managed container of a DC should run, given the image streams as they are now.</summary>
public static class TriggeredImages
{
    /// <summary>
    /// Every ImageChange trigger counts, manual ones too (review D9): a manual trigger's container is still expected to
    /// run what its tag resolves to, and the waits name the trigger instead of calling the old rollout done. Triggers
    /// on a stream of another namespace (<c>from.namespace</c>) are left out: these streams are not among the local ones.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Expected(DeploymentConfig dc, IReadOnlyDictionary<string, ImageStream> streams)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in (dc.Spec.Triggers ?? []).Select(t => t.ImageChangeParams).OfType<ImageChangeParams>())
        {
            if (IsForeign(dc, p) || TagResolution.Split(p.From?.Name) is not var (stream, tag) || !streams.TryGetValue(stream, out var s)
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

    /// <summary>The containers whose image trigger is manual (automatic: false): the trigger controller never updates them.</summary>
    public static IReadOnlyList<string> ManualContainers(DeploymentConfig dc) =>
        (dc.Spec.Triggers ?? []).Select(t => t.ImageChangeParams).OfType<ImageChangeParams>()
            .Where(p => p.Automatic != true).SelectMany(p => p.ContainerNames ?? []).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The trigger follows a stream of another namespace (upstream resolves from.namespace when set).</summary>
    public static bool IsForeign(DeploymentConfig dc, ImageChangeParams p) =>
        p.From?.NamespaceProperty is { Length: > 0 } ns && ns != (dc.Metadata.NamespaceProperty ?? ns);
}
