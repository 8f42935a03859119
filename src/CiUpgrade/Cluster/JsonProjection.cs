using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CiUpgrade.Cluster;

/// <summary>
/// Reads models with only some of their JSON members (<see cref="ReplicationControllerProjection"/>,
/// <see cref="DeploymentConfigProjection"/>): a member left out is skipped as it is read, never built, and the types only
/// it leads to are never set up for reading (the serializer configures a type's metadata, and that of every type its
/// members lead to, on first use).
/// </summary>
internal static class JsonProjection
{
    /// <summary>KubernetesClient's options, with each listed type read with only its listed members.</summary>
    public static JsonSerializerOptions Options(IReadOnlyDictionary<Type, HashSet<string>> kept, Action<JsonTypeInfo>? more = null)
    {
        var options = new JsonSerializerOptions(OpenShiftJson.Options);
        options.TypeInfoResolver = OpenShiftJson.Options.TypeInfoResolver!.WithAddedModifier(type =>
        {
            if (kept.TryGetValue(type.Type, out var members))
            {
                for (var i = type.Properties.Count - 1; i >= 0; i--)
                {
                    if (!members.Contains(type.Properties[i].Name))
                    {
                        type.Properties.RemoveAt(i);
                    }
                }
            }

            more?.Invoke(type);
        });
        return options;
    }
}
