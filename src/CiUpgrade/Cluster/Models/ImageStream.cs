using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>image.openshift.io/v1 ImageStream: only the fields ciupgrade reads (openshift/api image/v1/types.go).</summary>
[KubernetesEntity(Group = "image.openshift.io", Kind = "ImageStream", ApiVersion = "v1", PluralName = "imagestreams")]
public sealed class ImageStream : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "image.openshift.io";
    public const string Version = "v1";
    public const string Plural = "imagestreams";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "image.openshift.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ImageStream";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ImageStreamSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public ImageStreamStatus? Status { get; set; }
}
