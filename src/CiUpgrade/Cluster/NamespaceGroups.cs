using System.Runtime.CompilerServices;

namespace CiUpgrade.Cluster;

/// <summary>
/// Cuts a LIST streamed in storage key order into one group per namespace. The API server lists from storage in key
/// order (&lt;prefix&gt;/&lt;namespace&gt;/&lt;name&gt;) and a continue token is the key after the last one returned
/// (k8s.io/apiserver storage/etcd3/store.go GetList, storage/continue.go), so one namespace's objects are contiguous
/// across pages, and two kinds can be walked side by side namespace by namespace.
/// </summary>
public static class NamespaceGroups
{
    /// <summary>Consecutive objects of one namespace as one group; only the current group is held.</summary>
    public static async IAsyncEnumerable<(string Namespace, List<T> Items)> ByNamespaceAsync<T>(IAsyncEnumerable<T> items, Func<T, string> namespaceOf,
        string what, [EnumeratorCancellation] CancellationToken ct)
    {
        string? current = null;
        var group = new List<T>();
        await foreach (var item in items.WithCancellation(ct))
        {
            var ns = namespaceOf(item);
            if (current is not null && ns != current)
            {
                if (Compare(ns, current) < 0)
                {
                    throw new UpgradeException(ExitCode.ClusterUnreachable,
                        $"the API server listed {what} out of key order ({ns} after {current}): a paged list cannot be checked namespace by namespace; retry, or report the API server's behaviour");
                }

                yield return (current, group);
                group = [];
            }

            current = ns;
            group.Add(item);
        }

        if (current is not null)
        {
            yield return (current, group);
        }
    }

    /// <summary>The order of namespaces in storage keys: by "namespace/", so "a-b" comes before "a" ('-' sorts before '/').</summary>
    public static int Compare(string a, string b) => string.CompareOrdinal(a + "/", b + "/");
}
