using System.Text.Json.Serialization.Metadata;
using CiUpgrade.Cluster.Models;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// How verify reads the DeploymentConfigs it judges: whole, but for what no rule of the gate reads of a pod template
/// (<see cref="Rules.VerifyRules"/>, <see cref="Rules.DeploymentConfigRules"/>, <see cref="Rules.ReleaseCheck"/>,
/// <see cref="Rules.NamespaceState"/>: of the pod spec its containers and init containers, of a container its name,
/// image and environment) and the objects' managedFields. The pod spec's other members (volumes, affinity, security
/// contexts, probes and their ~150 model types) cost verify more to set up for reading than to read: 2 MB of metadata
/// and 6 ms, a tenth of the gate (bench/verify-vs-get-dc.sh). A test holds verify's verdicts on projected DCs equal to
/// those on whole ones; a rule that needs another member of a pod template adds it here.
/// </summary>
internal static class DeploymentConfigProjection
{
    private static readonly Dictionary<Type, HashSet<string>> Kept = new()
    {
        [typeof(V1PodSpec)] = ["containers", "initContainers"],
        [typeof(V1Container)] = ["name", "image", "env"],
    };

    private static readonly Lazy<JsonTypeInfo<ResourceList<DeploymentConfig>>> List = new(() =>
        OpenShiftJson.TypeInfo<ResourceList<DeploymentConfig>>(JsonProjection.Options(Kept, WithoutManagedFields)));

    /// <summary>The metadata a LIST of DCs is read with.</summary>
    public static JsonTypeInfo<ResourceList<DeploymentConfig>> ListTypeInfo => List.Value;

    private static void WithoutManagedFields(JsonTypeInfo type)
    {
        if (type.Type == typeof(V1ObjectMeta))
        {
            type.Properties.Remove(type.Properties.Single(p => p.Name == "managedFields"));
        }
    }
}
