using CiUpgrade.Cluster.Models;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>The watches stages wait with, all through the one watch code path, <see cref="ResourceWatch{T}"/>.</summary>
public sealed partial class OpenShiftClient
{
    /// <summary>Every DeploymentConfig of the namespace (see <see cref="ResourceWatch{T}"/>).</summary>
    public ResourceWatch<DeploymentConfig> DeploymentConfigWatch() =>
        new(this, new WatchTarget(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural));

    /// <summary>Pods by label (container states carry the reasons a rollout is stuck).</summary>
    public ResourceWatch<V1Pod> PodWatch(string labelSelector) =>
        new(this, new WatchTarget(string.Empty, "v1", "pods", LabelSelector: labelSelector));

    /// <summary>One image stream (a metadata.name field selector).</summary>
    public ResourceWatch<ImageStream> ImageStreamWatch(string name) =>
        new(this, new WatchTarget(ImageStream.Group, ImageStream.Version, ImageStream.Plural, FieldSelector: $"metadata.name={name}"));

    /// <summary>One build (a metadata.name field selector).</summary>
    public ResourceWatch<Build> BuildWatch(string name) =>
        new(this, new WatchTarget(BuildConfig.Group, BuildConfig.Version, Build.Plural, FieldSelector: $"metadata.name={name}"));
}
