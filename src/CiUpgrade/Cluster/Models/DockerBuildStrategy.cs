using System.Text.Json.Serialization;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

public sealed class DockerBuildStrategy
{
    [JsonPropertyName("from")]
    public V1ObjectReference? From { get; set; }
}
