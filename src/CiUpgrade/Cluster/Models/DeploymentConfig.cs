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
