using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class BuildStrategy
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("dockerStrategy")]
    public DockerBuildStrategy? DockerStrategy { get; set; }
}
