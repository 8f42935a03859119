using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>An import problem (type ImportSuccess, status "False").</summary>
public sealed class TagEventCondition
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("generation")]
    public long Generation { get; set; }
}
