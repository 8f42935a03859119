using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>The part of a BuildConfig's and a Build's spec ciupgrade reads: source type, Docker strategy base, output.</summary>
public sealed class BuildSpec
{
    [JsonPropertyName("source")]
    public BuildSource? Source { get; set; }

    [JsonPropertyName("strategy")]
    public BuildStrategy? Strategy { get; set; }

    [JsonPropertyName("output")]
    public BuildOutput? Output { get; set; }
}
