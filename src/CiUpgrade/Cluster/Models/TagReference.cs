using System.Text.Json.Serialization;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>One spec tag: where its image comes from.</summary>
public sealed class TagReference
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("from")]
    public V1ObjectReference? From { get; set; }

    [JsonPropertyName("reference")]
    public bool? Reference { get; set; }

    [JsonPropertyName("generation")]
    public long? Generation { get; set; }

    [JsonPropertyName("referencePolicy")]
    public TagReferencePolicy? ReferencePolicy { get; set; }
}
