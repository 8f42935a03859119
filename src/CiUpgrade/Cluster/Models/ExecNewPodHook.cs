using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>A hook run as a new pod from one container of the pod template (openshift/api apps/v1 ExecNewPodHook).</summary>
public sealed class ExecNewPodHook
{
    [JsonPropertyName("command")]
    public IList<string>? Command { get; set; }

    [JsonPropertyName("containerName")]
    public string? ContainerName { get; set; }
}
