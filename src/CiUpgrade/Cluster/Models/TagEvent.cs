using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class TagEvent
{
    [JsonPropertyName("dockerImageReference")]
    public string? DockerImageReference { get; set; }

    [JsonPropertyName("image")]
    public string? Image { get; set; }

    [JsonPropertyName("generation")]
    public long Generation { get; set; }
}
