using System.Text.Json.Serialization;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

public sealed class BuildOutput
{
    [JsonPropertyName("to")]
    public V1ObjectReference? To { get; set; }
}
