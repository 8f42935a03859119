using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace CiUpgrade.Cluster.Models;

/// <summary>apps.openshift.io/v1 DeploymentConfig: only the fields ciupgrade reads (openshift/api apps/v1/types.go).</summary>
[KubernetesEntity(Group = "apps.openshift.io", Kind = "DeploymentConfig", ApiVersion = "v1", PluralName = "deploymentconfigs")]
public sealed class DeploymentConfig : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "apps.openshift.io";
    public const string Version = "v1";
    public const string Plural = "deploymentconfigs";

    /// <summary>The label the DC controller puts on every replication controller of a DC, naming it (appsutil.MakeDeployment).</summary>
    public const string ReplicationControllerLabel = "openshift.io/deployment-config.name";

    /// <summary>The DC a replication controller belongs to (its label), or null for one no DC made.</summary>
    public static string? OwnerOf(V1ReplicationController rc) =>
        rc.Metadata.Labels is { } labels && labels.TryGetValue(ReplicationControllerLabel, out var name) ? name : null;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "apps.openshift.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "DeploymentConfig";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public DeploymentConfigSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public DeploymentConfigStatus Status { get; set; } = new();
}
