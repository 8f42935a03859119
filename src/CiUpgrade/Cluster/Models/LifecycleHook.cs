using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>A deployment lifecycle hook (openshift/api apps/v1 LifecycleHook).</summary>
public sealed class LifecycleHook
{
    [JsonPropertyName("failurePolicy")]
    public string? FailurePolicy { get; set; }

    [JsonPropertyName("execNewPod")]
    public ExecNewPodHook? ExecNewPod { get; set; }
}
