using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class DeploymentConfigStatus
{
    [JsonPropertyName("latestVersion")]
    public long LatestVersion { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long ObservedGeneration { get; set; }

    [JsonPropertyName("replicas")]
    public int Replicas { get; set; }

    [JsonPropertyName("updatedReplicas")]
    public int UpdatedReplicas { get; set; }

    [JsonPropertyName("availableReplicas")]
    public int AvailableReplicas { get; set; }

    [JsonPropertyName("unavailableReplicas")]
    public int UnavailableReplicas { get; set; }

    [JsonPropertyName("conditions")]
    public IList<DeploymentCondition>? Conditions { get; set; }
}
