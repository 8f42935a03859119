using System.Text.Json.Serialization;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>A ConfigChange or ImageChange trigger.</summary>
public sealed class DeploymentTriggerPolicy
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("imageChangeParams")]
    public ImageChangeParams? ImageChangeParams { get; set; }
}
