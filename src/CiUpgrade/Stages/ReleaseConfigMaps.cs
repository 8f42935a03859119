using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// The ConfigMaps release DCs read their release from (before the upgrade), across namespaces, fetched when first
/// needed: one LIST narrowed by name (in chunks) per ConfigMap name, never a request per install.
/// </summary>
public sealed class ReleaseConfigMaps(StageContext context)
{
    private readonly Dictionary<string, Dictionary<string, V1ConfigMap>> _byNamespace = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);

    /// <summary>Makes sure every ConfigMap the release env var of these containers refers to is loaded.</summary>
    public async Task LoadForAsync(IEnumerable<V1Container> containers, CancellationToken ct)
    {
        var release = context.Plan.Release;
        var names = containers.SelectMany(c => c.Env ?? []).Where(e => e.Name == release.Env)
            .Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name).OfType<string>();
        foreach (var name in names.Where(_loaded.Add).ToList())
        {
            await foreach (var map in context.Client.ListConfigMapsEverywhereAsync(name, ct))
            {
                var ns = map.Metadata.NamespaceProperty ?? context.Namespace;
                if (!_byNamespace.TryGetValue(ns, out var maps))
                {
                    maps = new Dictionary<string, V1ConfigMap>(StringComparer.Ordinal);
                    _byNamespace[ns] = maps;
                }

                maps[name] = map;
            }
        }
    }

    /// <summary>The loaded ConfigMaps of one namespace, by name.</summary>
    public IReadOnlyDictionary<string, V1ConfigMap> In(string ns) =>
        _byNamespace.GetValueOrDefault(ns) ?? new Dictionary<string, V1ConfigMap>(StringComparer.Ordinal);
}
