using System.Runtime.CompilerServices;
using CiUpgrade.Cluster;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// Every install the credentials can see, one namespace at a time (drift -A): the DCs, the image streams and the DCs'
/// replication controllers come in paged LISTs walked side by side, so only a page of each and one namespace's
/// objects are held whatever the number of installs; the release ConfigMaps (one LIST by name) and the Oracle builds
/// (one LIST, once a build owns amp-system:latest) are fetched once, when first needed; a stream of another
/// namespace that a trigger names is read with one GET (kept), as it may lie in a namespace already passed.
/// </summary>
public sealed class PagedInstallReader(StageContext context)
{
    public async IAsyncEnumerable<NamespaceState> ReadEverywhereAsync(string? selector, [EnumeratorCancellation] CancellationToken ct)
    {
        var client = context.Client;
        var plan = context.Plan;
        string Ns(V1ObjectMeta m) => m.NamespaceProperty ?? context.Namespace;
        var configMaps = new ReleaseConfigMaps(context);
        List<Build>? builds = null;
        var foreign = new Dictionary<string, (ImageStream? Stream, string? Problem)>(StringComparer.Ordinal);
        await using var streams = new NamespaceCursor<ImageStream>(
            NamespaceGroups.ByNamespaceAsync(client.ListImageStreamsPagedAsync(true, ct), s => Ns(s.Metadata), "imagestreams", ct), ct);
        await using var rcs = new NamespaceCursor<V1ReplicationController>(
            NamespaceGroups.ByNamespaceAsync(client.ListDeploymentReplicationControllersPagedAsync(true, ct), r => Ns(r.Metadata), "replicationcontrollers", ct), ct);
        await foreach (var (ns, dcList) in NamespaceGroups.ByNamespaceAsync(client.ListDeploymentConfigsPagedAsync(true, selector, ct), d => Ns(d.Metadata), "deploymentconfigs", ct))
        {
            var nsStreams = await streams.TakeAsync(ns);
            var nsRcs = await rcs.TakeAsync(ns);
            var app = dcList.FirstOrDefault(d => d.Metadata.Name == plan.Release.DeploymentConfig);
            if (app is null)
            {
                continue;
            }

            var dcs = dcList.ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
            var streamsByName = nsStreams.ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
            await configMaps.LoadForAsync(app.Spec.Template?.Spec?.Containers ?? [], ct);
            if (builds is null && OracleImages.BuildOwnsLatest(streamsByName.GetValueOrDefault(plan.Oracle.ImageStream)))
            {
                builds = [.. await client.ListBuildsEverywhereAsync(plan.Oracle.BuildConfig, ct)];
            }

            var found = new Dictionary<string, ImageStream?>(StringComparer.Ordinal);
            var unreadable = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (streamNs, name) in NamespaceState.ForeignStreamsOf(dcs.Values))
            {
                var key = $"{streamNs}/{name}";
                if (!foreign.TryGetValue(key, out var read))
                {
                    read = await client.ReadImageStreamInAsync(streamNs, name, ct);
                    foreign[key] = read;
                }

                if (read.Problem is not null)
                {
                    unreadable[key] = read.Problem;
                }
                else
                {
                    found[key] = read.Stream;
                }
            }

            var rcsByDc = nsRcs.Where(rc => DeploymentConfig.OwnerOf(rc) is not null)
                .GroupBy(rc => DeploymentConfig.OwnerOf(rc)!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<V1ReplicationController>)g.ToList(), StringComparer.Ordinal);
            yield return new NamespaceState(ns, dcs, streamsByName)
            {
                ReplicationControllers = dcs.Keys.ToDictionary(n => n, n => rcsByDc.GetValueOrDefault(n) ?? [], StringComparer.Ordinal),
                ConfigMaps = configMaps.In(ns),
                OracleBuilds = builds?.Where(b => Ns(b.Metadata) == ns).ToList() ?? [],
                ForeignStreams = found,
                UnreadableStreams = unreadable,
            };
        }
    }
}
