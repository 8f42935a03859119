using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>A Build's progress: phase New, Pending, Running, Complete, Failed, Error or Cancelled, and why.</summary>
public sealed class BuildStatus
{
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>Set when the build was asked to stop (oc cancel-build, or an upload that broke off); the phase follows.</summary>
    [JsonPropertyName("cancelled")]
    public bool? Cancelled { get; set; }

    [JsonPropertyName("output")]
    public BuildStatusOutput? Output { get; set; }
}
