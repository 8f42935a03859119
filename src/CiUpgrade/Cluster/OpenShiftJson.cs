using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace CiUpgrade.Cluster;

/// <summary>
/// Makes <see cref="OpenShiftJsonContext"/> the one resolver of KubernetesClient's serializer options, which every
/// typed call (CoreV1, CustomObjects get/list/patch, KubernetesJson) uses: it replaces KubernetesClient.Aot's own
/// context, so the JIT build (tests) resolves exactly what the NativeAOT binary can (the binary leaves that context
/// out: ILLink.Substitutions.xml). The options become read-only once used, so this runs when the assembly loads,
/// before any code of ciupgrade can touch the client.
/// </summary>
internal static class OpenShiftJson
{
#pragma warning disable CA2255 // an executable's own module initializer: the one place that runs before any client exists
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        KubernetesJson.AddJsonOptions(o =>
        {
            o.TypeInfoResolver = OpenShiftJsonContext.Default;
            Options = o;
        });

    /// <summary>KubernetesClient's serializer options, resolved by <see cref="OpenShiftJsonContext"/>: what typed calls read with.</summary>
    internal static JsonSerializerOptions Options { get; private set; } = null!;

    /// <summary>The source-generated metadata of <typeparamref name="T"/> in <paramref name="options"/> (every model is in the context).</summary>
    internal static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
