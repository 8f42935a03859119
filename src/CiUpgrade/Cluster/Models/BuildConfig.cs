using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>build.openshift.io/v1 BuildConfig: only the fields ciupgrade reads (openshift/api build/v1/types.go).</summary>
[KubernetesEntity(Group = "build.openshift.io", Kind = "BuildConfig", ApiVersion = "v1", PluralName = "buildconfigs")]
public sealed class BuildConfig : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "build.openshift.io";
    public const string Version = "v1";
    public const string Plural = "buildconfigs";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "build.openshift.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "BuildConfig";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public BuildSpec Spec { get; set; } = new();
}
