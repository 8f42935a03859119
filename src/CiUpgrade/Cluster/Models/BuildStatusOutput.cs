using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class BuildStatusOutput
{
    [JsonPropertyName("to")]
    public BuildStatusOutputTo? To { get; set; }
}
