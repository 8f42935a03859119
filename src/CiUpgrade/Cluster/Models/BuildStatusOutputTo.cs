using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

public sealed class BuildStatusOutputTo
{
    [JsonPropertyName("imageDigest")]
    public string? ImageDigest { get; set; }
}
