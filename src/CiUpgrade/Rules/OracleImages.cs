using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>Where an Oracle-backed install's system image comes from, for verify and drift (decided from the stream alone, no extra request).</summary>
public static class OracleImages
{
    /// <summary>
    /// A build owns the stream's `latest`: no spec tag names it (so nothing re-tags it) and its newest image was pushed
    /// to the stream's own internal-registry repository. A `latest` re-tagged by hand still has a spec tag, so it does not count.
    /// </summary>
    public static bool BuildOwnsLatest(ImageStream? stream)
    {
        if (stream is null || stream.Spec.Tags?.Any(t => t.Name == "latest") == true || stream.Status?.DockerImageRepository is not { Length: > 0 } repository)
        {
            return false;
        }

        var newest = stream.Status.Tags?.FirstOrDefault(t => t.Tag == "latest")?.Items?.FirstOrDefault()?.DockerImageReference;
        return newest?.StartsWith(repository + "@sha256:", StringComparison.Ordinal) == true;
    }

    /// <summary>
    /// The repository check overrides for one namespace: the DCs on a build-owned stream must run from that stream's
    /// internal-registry repository instead of the plan's (empty when no build owns amp-system:latest).
    /// </summary>
    public static IReadOnlyDictionary<string, string> RepositoryOverrides(string imageStream, IReadOnlyDictionary<string, ImageStream> streams, IEnumerable<DeploymentConfig> dcs)
    {
        if (!streams.TryGetValue(imageStream, out var stream) || !BuildOwnsLatest(stream))
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return InstallInspection.Triggered(dcs, imageStream).ToDictionary(dc => dc, _ => stream.Status!.DockerImageRepository!, StringComparer.Ordinal);
    }
}
