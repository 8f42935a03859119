using System.Text.Json.Serialization;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

public sealed class DeploymentConfigSpec
{
    [JsonPropertyName("replicas")]
    public int Replicas { get; set; }

    [JsonPropertyName("paused")]
    public bool? Paused { get; set; }

    [JsonPropertyName("triggers")]
    public IList<DeploymentTriggerPolicy>? Triggers { get; set; }

    [JsonPropertyName("strategy")]
    public DeploymentStrategy? Strategy { get; set; }

    [JsonPropertyName("template")]
    public V1PodTemplateSpec? Template { get; set; }
}
