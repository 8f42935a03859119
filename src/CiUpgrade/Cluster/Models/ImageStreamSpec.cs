using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class ImageStreamSpec
{
    [JsonPropertyName("tags")]
    public IList<TagReference>? Tags { get; set; }
}
