using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class BuildSource
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }
}
