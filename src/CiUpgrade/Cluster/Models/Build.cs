using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>build.openshift.io/v1 Build: only the fields ciupgrade reads (openshift/api build/v1/types.go).</summary>
[KubernetesEntity(Group = "build.openshift.io", Kind = "Build", ApiVersion = "v1", PluralName = "builds")]
public sealed class Build : IKubernetesObject<V1ObjectMeta>
{
    public const string Plural = "builds";

    /// <summary>The label every build of a BuildConfig carries.</summary>
    public const string BuildConfigLabel = "openshift.io/build-config.name";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "build.openshift.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Build";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public BuildSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public BuildStatus Status { get; set; } = new();
}
