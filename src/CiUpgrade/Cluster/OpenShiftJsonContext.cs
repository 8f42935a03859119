using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// Source-generated JSON metadata for every type ciupgrade reads from or sends to the API server beyond the core
/// Kubernetes models (which KubernetesClient.Aot's own context covers). NativeAOT has no reflection-based
/// serialization: a model type missing here fails at run time with "JsonTypeInfo metadata ... was not provided",
/// so a new model (or list of one) is added here. Same options as KubernetesClient's context.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ImageStream))]
[JsonSerializable(typeof(ResourceList<ImageStream>))]
[JsonSerializable(typeof(DeploymentConfig))]
[JsonSerializable(typeof(ResourceList<DeploymentConfig>))]
[JsonSerializable(typeof(BuildConfig))]
[JsonSerializable(typeof(ResourceList<BuildConfig>))]
[JsonSerializable(typeof(Build))]
[JsonSerializable(typeof(ResourceList<Build>))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class OpenShiftJsonContext : JsonSerializerContext;
