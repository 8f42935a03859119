using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CiUpgrade.Cluster.Models;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// Source-generated JSON metadata for every type ciupgrade reads from or sends to the API server, the core
/// Kubernetes models it uses included: <see cref="OpenShiftJson"/> makes this the only resolver of KubernetesClient's
/// serializer options, in every build, so that NativeAOT does not keep KubernetesClient.Aot's own context (metadata
/// and serializers of all ~900 Kubernetes models, 14 of the binary's 32 MB). A type missing here fails the same way
/// in the JIT tests and under NativeAOT ("JsonTypeInfo metadata for type ... was not provided"): a new model, the
/// list of one, or a request body passed to a typed call is added here. Same options as KubernetesClient's context
/// (its date/time converters are on the options themselves).
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
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1ConfigMapList))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1ServiceAccount))]
[JsonSerializable(typeof(V1SecretList))]
[JsonSerializable(typeof(Authenticationv1TokenRequest))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1ReplicationController))]
[JsonSerializable(typeof(V1ReplicationControllerList))]
[JsonSerializable(typeof(V1EnvVar))]
[JsonSerializable(typeof(V1SelfSubjectAccessReview))]
[JsonSerializable(typeof(V1DeleteOptions))]
[JsonSerializable(typeof(V1Patch))]
[JsonSerializable(typeof(V1Status))]
// What an object-typed field of a model read from the server holds (metadata.managedFields[].fieldsV1 on Kubernetes 1.18+):
// without it, writing such a model back fails ("JsonTypeInfo metadata for type 'System.Text.Json.JsonElement' was not provided").
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class OpenShiftJsonContext : JsonSerializerContext;
