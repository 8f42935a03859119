using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// Reads what verify and drift judge, for one namespace or every install the credentials can see, with a fixed
/// number of requests whatever the number of DCs: the DCs and streams the stage listed, plus one LIST of the DCs'
/// replication controllers, the release ConfigMaps (one GET, or one LIST by name across namespaces), the Oracle
/// builds (one LIST, only when a build owns amp-system:latest) and a GET per stream of another namespace a trigger
/// names (in one namespace; across namespaces they come from the stream list).
/// </summary>
public sealed class InstallStateReader(StageContext context)
{
    /// <param name="rcs">The DCs' replication controllers when the caller has listed them already (together with the DCs).</param>
    public async Task<IReadOnlyList<NamespaceState>> ReadAsync(IReadOnlyList<string> installs, IList<DeploymentConfig> dcs, IList<ImageStream> streams,
        bool allNamespaces, CancellationToken ct, IReadOnlyList<V1ReplicationController>? rcs = null)
    {
        var plan = context.Plan;
        string Ns(V1ObjectMeta m) => m.NamespaceProperty ?? context.Namespace;
        rcs ??= await context.Client.ListDeploymentReplicationControllersAsync(allNamespaces, ct);
        var rcsByDc = rcs.Where(rc => DeploymentConfig.OwnerOf(rc) is not null)
            .GroupBy(rc => (Ns(rc.Metadata), DeploymentConfig.OwnerOf(rc)!))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<V1ReplicationController>)g.ToList());
        var configMaps = await ReleaseConfigMapsAsync(dcs, allNamespaces, ct);
        var streamsByKey = streams.ToDictionary(s => (Ns(s.Metadata), s.Metadata.Name));
        var needBuilds = installs.Any(ns => OracleImages.BuildOwnsLatest(streamsByKey.GetValueOrDefault((ns, plan.Oracle.ImageStream))));
        var builds = !needBuilds ? []
            : allNamespaces ? await context.Client.ListBuildsEverywhereAsync(plan.Oracle.BuildConfig, ct)
            : await context.Client.ListBuildsAsync(plan.Oracle.BuildConfig, ct);

        var states = new List<NamespaceState>();
        foreach (var ns in installs)
        {
            var nsDcs = dcs.Where(d => Ns(d.Metadata) == ns).ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
            var (foreign, unreadable) = await ForeignStreamsAsync(nsDcs.Values, streamsByKey, allNamespaces, ct);
            states.Add(new NamespaceState(ns, nsDcs,
                streams.Where(s => Ns(s.Metadata) == ns).ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal))
            {
                ReplicationControllers = nsDcs.Keys.ToDictionary(n => n, n => rcsByDc.GetValueOrDefault((ns, n)) ?? [], StringComparer.Ordinal),
                ConfigMaps = configMaps.Where(kv => kv.Key.Ns == ns).ToDictionary(kv => kv.Key.Name, kv => kv.Value, StringComparer.Ordinal),
                OracleBuilds = builds.Where(b => Ns(b.Metadata) == ns).ToList(),
                ForeignStreams = foreign,
                UnreadableStreams = unreadable,
            });
        }

        return states;
    }

    private async Task<(Dictionary<string, ImageStream?>, Dictionary<string, string>)> ForeignStreamsAsync(IEnumerable<DeploymentConfig> dcs,
        Dictionary<(string, string), ImageStream> listed, bool allNamespaces, CancellationToken ct)
    {
        var found = new Dictionary<string, ImageStream?>(StringComparer.Ordinal);
        var unreadable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (ns, name) in NamespaceState.ForeignStreamsOf(dcs))
        {
            var key = $"{ns}/{name}";
            if (allNamespaces)
            {
                // The cluster-wide LIST holds every stream these credentials may see.
                if (listed.TryGetValue((ns, name), out var s))
                {
                    found[key] = s;
                }
                else
                {
                    unreadable[key] = $"image stream {key} is not among the image streams these credentials can list";
                }

                continue;
            }

            var (stream, problem) = await context.Client.ReadImageStreamInAsync(ns, name, ct);
            if (problem is not null)
            {
                unreadable[key] = problem;
            }
            else
            {
                found[key] = stream;
            }
        }

        return (found, unreadable);
    }

    /// <summary>
    /// The ConfigMaps the release DC reads its release from, where it does (before the upgrade): one GET for a
    /// namespace, one LIST narrowed by name across namespaces, never one request per install.
    /// </summary>
    private async Task<Dictionary<(string Ns, string Name), V1ConfigMap>> ReleaseConfigMapsAsync(IList<DeploymentConfig> dcs, bool allNamespaces, CancellationToken ct)
    {
        var release = context.Plan.Release;
        var names = dcs.Where(d => d.Metadata.Name == release.DeploymentConfig)
            .SelectMany(d => d.Spec.Template?.Spec?.Containers ?? []).SelectMany(c => c.Env ?? [])
            .Where(e => e.Name == release.Env).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var found = new Dictionary<(string, string), V1ConfigMap>();
        foreach (var name in names)
        {
            var maps = allNamespaces ? await context.Client.ListConfigMapsEverywhereAsync(name, ct).ToListAsync(ct)
                : await context.Client.GetConfigMapAsync(name, ct) is { } one ? [one] : [];
            foreach (var map in maps)
            {
                found[(map.Metadata.NamespaceProperty ?? context.Namespace, name)] = map;
            }
        }

        return found;
    }
}
