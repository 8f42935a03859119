using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>Available / Progressing conditions, looked up by type.</summary>
public sealed class DeploymentCondition
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}
