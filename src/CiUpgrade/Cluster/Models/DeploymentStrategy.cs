using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>spec.strategy of a DeploymentConfig: only what the pre hook step reads (openshift/api apps/v1 types.go).</summary>
public sealed class DeploymentStrategy
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("rollingParams")]
    public StrategyParams? RollingParams { get; set; }

    [JsonPropertyName("recreateParams")]
    public StrategyParams? RecreateParams { get; set; }
}
