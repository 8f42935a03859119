using CiUpgrade.Cluster.Models;
using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// One install as verify and drift read it (a few LISTs, no per-DC request): its DCs, its streams, the RCs of its
/// DCs, the ConfigMaps the release DC reads, the builds of the Oracle BuildConfig, and the streams of other
/// namespaces its triggers name (<c>from.namespace</c>): found, or with the reason they could not be read.
/// </summary>
public sealed record NamespaceState(
    string Namespace,
    IReadOnlyDictionary<string, DeploymentConfig> DeploymentConfigs,
    IReadOnlyDictionary<string, ImageStream> Streams)
{
    /// <summary>Every RC of the namespace's DCs, by DC name (label openshift.io/deployment-config.name).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<V1ReplicationController>> ReplicationControllers { get; init; } =
        new Dictionary<string, IReadOnlyList<V1ReplicationController>>(StringComparer.Ordinal);

    /// <summary>ConfigMaps by name (only those the release DC's env references).</summary>
    public IReadOnlyDictionary<string, V1ConfigMap> ConfigMaps { get; init; } = new Dictionary<string, V1ConfigMap>(StringComparer.Ordinal);

    /// <summary>Builds of the plan's Oracle BuildConfig (empty for a standard install).</summary>
    public IReadOnlyList<Build> OracleBuilds { get; init; } = [];

    /// <summary>Streams of other namespaces by "namespace/name"; a null value means "does not exist".</summary>
    public IReadOnlyDictionary<string, ImageStream?> ForeignStreams { get; init; } = new Dictionary<string, ImageStream?>(StringComparer.Ordinal);

    /// <summary>Why a stream of another namespace could not be read, by "namespace/name".</summary>
    public IReadOnlyDictionary<string, string> UnreadableStreams { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The value of a ConfigMap key, or null.</summary>
    public string? ConfigMapValue(string name, string key) =>
        ConfigMaps.GetValueOrDefault(name)?.Data?.TryGetValue(key, out var value) == true ? value : null;

    /// <summary>Every "namespace/name" of another namespace's stream an image trigger of these DCs follows.</summary>
    public static IReadOnlyList<(string Namespace, string Name)> ForeignStreamsOf(IEnumerable<DeploymentConfig> dcs) =>
        dcs.SelectMany(dc => (dc.Spec.Triggers ?? []).Select(t => t.ImageChangeParams).OfType<ImageChangeParams>()
                .Where(p => TriggeredImages.IsForeign(dc, p))
                .Select(p => (p.From!.NamespaceProperty!, TagResolution.Split(p.From.Name)?.Stream)))
            .Where(x => x.Stream is not null).Select(x => (x.Item1, x.Stream!)).Distinct().ToList();
}
