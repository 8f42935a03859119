using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>rollingParams / recreateParams: the lifecycle hook run before the strategy scales anything.</summary>
public sealed class StrategyParams
{
    [JsonPropertyName("pre")]
    public LifecycleHook? Pre { get; set; }
}
