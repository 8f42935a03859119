using System.Text.Json.Serialization;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>Which tag an image trigger follows and which containers it rewrites.</summary>
public sealed class ImageChangeParams
{
    [JsonPropertyName("automatic")]
    public bool? Automatic { get; set; }

    [JsonPropertyName("containerNames")]
    public IList<string>? ContainerNames { get; set; }

    [JsonPropertyName("from")]
    public V1ObjectReference? From { get; set; }

    [JsonPropertyName("lastTriggeredImage")]
    public string? LastTriggeredImage { get; set; }
}
