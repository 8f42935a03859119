using System.Text.Json.Serialization;
using k8s.Models;

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

public sealed class BuildSource
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }
}

public sealed class BuildStrategy
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("dockerStrategy")]
    public DockerBuildStrategy? DockerStrategy { get; set; }
}

public sealed class DockerBuildStrategy
{
    [JsonPropertyName("from")]
    public V1ObjectReference? From { get; set; }
}

public sealed class BuildOutput
{
    [JsonPropertyName("to")]
    public V1ObjectReference? To { get; set; }
}
