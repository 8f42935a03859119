using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class ImageStreamStatus
{
    [JsonPropertyName("dockerImageRepository")]
    public string? DockerImageRepository { get; set; }

    [JsonPropertyName("tags")]
    public IList<NamedTagEventList>? Tags { get; set; }
}
