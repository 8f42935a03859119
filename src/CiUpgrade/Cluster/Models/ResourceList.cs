using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>A LIST answer (ImageStreamList, DeploymentConfigList).</summary>
public sealed class ResourceList<T> : IKubernetesObject<V1ListMeta>, IItems<T>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = [];
}
