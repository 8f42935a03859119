using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiUpgrade.Cluster.Models;
using k8s;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// LISTs in chunks (drift -A over every namespace): each page read into its objects as it arrives and handed out
/// one object at a time, so only one page is ever held.
/// </summary>
public sealed partial class OpenShiftClient
{
    /// <summary>Objects per chunk of a paged LIST: kubectl's default --chunk-size.</summary>
    public const int PageSize = 500;

    /// <summary>
    /// Every DeploymentConfig in the namespace or (<paramref name="everywhere"/>) in every namespace the credentials can
    /// see, optionally by label, in chunks of <see cref="PageSize"/>: only one page is held at a time.
    /// </summary>
    public IAsyncEnumerable<DeploymentConfig> ListDeploymentConfigsPagedAsync(bool everywhere, string? labelSelector, CancellationToken ct) =>
        ListPagedAsync<DeploymentConfig>(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, everywhere, labelSelector, ct);

    /// <summary>Every image stream in the namespace or in every namespace, in chunks (see <see cref="ListDeploymentConfigsPagedAsync"/>).</summary>
    public IAsyncEnumerable<ImageStream> ListImageStreamsPagedAsync(bool everywhere, CancellationToken ct) =>
        ListPagedAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ImageStream.Plural, everywhere, null, ct);

    /// <summary>
    /// The RCs of DeploymentConfigs (by their label) in the namespace or (<paramref name="everywhere"/>) in every
    /// namespace, in chunks (see <see cref="ListDeploymentConfigsPagedAsync"/>), each read as what the rollout rules
    /// need of it (<see cref="ReplicationControllerProjection"/>).
    /// </summary>
    public async IAsyncEnumerable<V1ReplicationController> ListDeploymentReplicationControllersPagedAsync(bool everywhere, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = everywhere ? "api/v1/replicationcontrollers" : $"api/v1/namespaces/{Namespace}/replicationcontrollers";
        string? next = null;
        do
        {
            var page = await GetPageAsync($"{path}?{PageQuery(DeploymentConfig.ReplicationControllerLabel, next)}", ReplicationControllerProjection.ListTypeInfo,
                "list replicationcontrollers" + (everywhere ? AllNamespaces : string.Empty), "replicationcontrollers", string.Empty, ct);
            next = page.Metadata?.ContinueProperty;
            foreach (var rc in Drain(page.Items))
            {
                yield return rc;
            }
        }
        while (!string.IsNullOrEmpty(next));
    }

    /// <summary>The ConfigMaps of one name in every namespace (a LIST with a metadata.name field selector, in chunks).</summary>
    public async IAsyncEnumerable<V1ConfigMap> ListConfigMapsEverywhereAsync(string name, [EnumeratorCancellation] CancellationToken ct)
    {
        string? next = null;
        do
        {
            var page = await CallAsync("list configmaps" + AllNamespaces, "configmaps", string.Empty, () =>
                kube.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: next, fieldSelector: $"metadata.name={name}", limit: PageSize, cancellationToken: ct));
            next = page.Metadata?.ContinueProperty;
            foreach (var map in Drain(page.Items))
            {
                yield return map;
            }
        }
        while (!string.IsNullOrEmpty(next));
    }

    /// <summary>
    /// A LIST in chunks (limit + continue, as kubectl get and client-go's pager do), yielding each page's objects before
    /// the next page is asked for. The API server returns objects in storage key order (namespace, then name) and
    /// every chunk at the revision of the first (k8s.io/apiserver storage/etcd3/store.go GetList); a continue token
    /// that outlived etcd's compaction is 410 Expired, surfaced as a <see cref="ClusterRequestException"/> for the
    /// caller to start over.
    /// </summary>
    private async IAsyncEnumerable<T> ListPagedAsync<T>(string group, string version, string plural, bool everywhere, string? labelSelector,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var typeInfo = OpenShiftJson.TypeInfo<ResourceList<T>>(OpenShiftJson.Options);
        var path = $"{ResourcePrefix(group, version)}/{(everywhere ? string.Empty : $"namespaces/{Namespace}/")}{plural}";
        string? next = null;
        do
        {
            var page = await GetPageAsync($"{path}?{PageQuery(labelSelector, next)}", typeInfo, $"list {plural}" + (everywhere ? AllNamespaces : string.Empty), plural, group, ct);
            next = page.Metadata?.ContinueProperty;
            foreach (var item in Drain(page.Items))
            {
                yield return item;
            }
        }
        while (!string.IsNullOrEmpty(next));
    }

    /// <summary>The query of one chunk: <see cref="PageSize"/> objects, after <paramref name="next"/> (the last chunk's continue token).</summary>
    private static string PageQuery(string? labelSelector, string? next) =>
        (next is null ? string.Empty : $"continue={Uri.EscapeDataString(next)}&")
        + (labelSelector is null ? string.Empty : $"labelSelector={Uri.EscapeDataString(labelSelector)}&")
        + $"limit={PageSize}";

    /// <summary>
    /// One chunk of a LIST, read into its objects as it arrives (<see cref="TransientRetryHandler.ReadAnswer"/>): no copy
    /// of its megabytes of JSON is held, in a buffer or as text.
    /// </summary>
    private Task<TList> GetPageAsync<TList>(string relative, JsonTypeInfo<TList> typeInfo, string action, string resource, string group, CancellationToken ct) =>
        CallAsync(action, resource, group, async () =>
        {
            using var response = await GetAsync(relative, action, r => r.Options.Set(TransientRetryHandler.ReadAnswer, (body, token) => ReadPage(body, typeInfo, token)), ct);
            if (response.Content is ParsedAnswer parsed)
            {
                return parsed.Value is TList page ? page : throw new JsonException($"{action}: the answer holds no list");
            }

            // No retry handler below (a bare client): the body is read here, as it arrives all the same.
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return ReadPage(body, typeInfo, ct) is TList read ? read : throw new JsonException($"{action}: the answer holds no list");
        });

    /// <summary>
    /// A page read from the network as it arrives. Synchronously, through the one deserializer KubernetesClient's own
    /// calls use: NativeAOT compiles JsonSerializer's async reader for every serializable type there is (tried: the
    /// binary grew by 6 MB). Cancelling closes the stream under the blocked read.
    /// </summary>
    private static object? ReadPage(Stream body, JsonTypeInfo typeInfo, CancellationToken ct)
    {
        using var cancel = ct.Register(body.Dispose);
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (ObjectDisposedException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
    }

    /// <summary>
    /// A page's objects one by one, each dropped from the page as it is handed out: what the caller is done with can
    /// be collected before the next page arrives (a page of 500 replication controllers is megabytes of objects).
    /// </summary>
    private static IEnumerable<T> Drain<T>(IList<T> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            items[i] = default!;
            yield return item;
        }
    }
}
