using System.Runtime.CompilerServices;
using k8s;

namespace CiUpgrade.Cluster;

/// <summary>
/// Registers <see cref="OpenShiftJsonContext"/> with KubernetesClient's serializer options, which every typed call
/// (CustomObjects get/list/patch, KubernetesJson) uses. The options become read-only once used, so this runs when
/// the assembly loads, before any code of ciupgrade can touch the client.
/// </summary>
internal static class OpenShiftJson
{
#pragma warning disable CA2255 // an executable's own module initializer: the one place that runs before any client exists
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        KubernetesJson.AddJsonOptions(o => o.TypeInfoResolverChain.Add(OpenShiftJsonContext.Default));
}
