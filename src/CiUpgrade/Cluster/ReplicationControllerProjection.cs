using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// How drift -A reads the replication controllers of every install: only what the rollout rules read of an RC
/// (<see cref="Rules.RolloutState"/>, <see cref="Rules.DeploymentConfigRules"/>: its name, namespace, labels and
/// annotations, replicas, its pod template's container names and images, its status). The rest of each object is
/// skipped as it is read, never materialised: a page of 500 RCs is 5.5 MB of JSON, most of it pod template (env,
/// probes, volumes) and the `openshift.io/encoded-deployment-config` annotation, a whole copy of the DC. A rule that
/// needs another field of an RC adds it here.
/// </summary>
internal static class ReplicationControllerProjection
{
    /// <summary>The JSON members kept per model type; a type not listed keeps all of its members.</summary>
    private static readonly Dictionary<Type, HashSet<string>> Kept = new()
    {
        [typeof(V1ObjectMeta)] = ["name", "namespace", "labels", "annotations", "resourceVersion", "generation"],
        [typeof(V1PodTemplateSpec)] = ["spec"],
        [typeof(V1PodSpec)] = ["containers", "initContainers"],
        [typeof(V1Container)] = ["name", "image"],
    };

    /// <summary>Annotations that each hold a whole serialized object (the DC a deployment was made from, kubectl apply's last input).</summary>
    private static readonly HashSet<string> DroppedAnnotations = ["openshift.io/encoded-deployment-config", "kubectl.kubernetes.io/last-applied-configuration"];

    private static readonly Lazy<JsonTypeInfo<V1ReplicationControllerList>> List = new(() =>
        OpenShiftJson.TypeInfo<V1ReplicationControllerList>(JsonProjection.Options(Kept, DropAnnotations)));

    /// <summary>The metadata a page of RCs is read with.</summary>
    public static JsonTypeInfo<V1ReplicationControllerList> ListTypeInfo => List.Value;

    private static void DropAnnotations(JsonTypeInfo type)
    {
        if (type.Type == typeof(V1ObjectMeta))
        {
            type.Properties.Single(p => p.Name == "annotations").CustomConverter = new AnnotationsWithout(DroppedAnnotations);
        }
    }

    /// <summary>An annotations map read without some keys, whose values are skipped unread.</summary>
    private sealed class AnnotationsWithout(HashSet<string> dropped) : JsonConverter<IDictionary<string, string>>
    {
        public override IDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("annotations: expected an object");
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (dropped.Contains(key) || reader.TokenType != JsonTokenType.String)
                {
                    // The serializer hands a converter its whole value, so this cannot run out of input; Skip() would
                    // refuse a reader over a partial payload all the same.
                    if (!reader.TrySkip())
                    {
                        throw new JsonException("annotations: incomplete value");
                    }
                }
                else
                {
                    result[key] = reader.GetString()!;
                }
            }

            return result;
        }

        public override void Write(Utf8JsonWriter writer, IDictionary<string, string> value, JsonSerializerOptions options) =>
            throw new NotSupportedException("a projection is only read");
    }
}
