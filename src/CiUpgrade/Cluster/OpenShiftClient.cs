using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CiUpgrade.Cluster.Models;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// The only door to the cluster: typed get/list/patch/watch of the OpenShift and core resources ciupgrade uses,
/// with Kubernetes errors turned into <see cref="UpgradeException"/>s that name what to do. Retries of transient
/// failures happen one level down, in <see cref="TransientRetryHandler"/>.
/// </summary>
public sealed class OpenShiftClient(Kubernetes kube, string ns, RequestCounter? counter = null)
{
    private readonly Lock _versionLock = new();
    private Task<ApiServerVersion>? _version;

    public string Namespace { get; } = ns;

    /// <summary>
    /// Awaited before every request that changes the cluster (patches that are not dry runs, instantiate,
    /// instantiatebinary; not the namespace lock's own ConfigMap): a mutating stage takes its namespace lock here,
    /// after its read-only checks, so a stage that refuses or has nothing to do writes nothing at all.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeWrite { get; set; }

    private Task BeforeWriteAsync(CancellationToken ct) => BeforeWrite?.Invoke(ct) ?? Task.CompletedTask;

    /// <summary>
    /// The server's Kubernetes version: one GET /version per client (one client per invocation), cached.
    /// Unreadable (403/404) counts as <see cref="ApiServerVersion.Unknown"/>: no dry run, no bookmarks.
    /// </summary>
    public Task<ApiServerVersion> GetServerVersionAsync(CancellationToken ct)
    {
        lock (_versionLock)
        {
            // Shared by every caller, so not bound to the first caller's token; each caller waits with its own.
            _version ??= ReadServerVersionAsync(CancellationToken.None);
            return _version.WaitAsync(ct);
        }
    }

    /// <summary>HTTP requests sent so far (retries included), for the drift benchmark's figures.</summary>
    public int RequestsSent => counter?.Count ?? 0;

    public string Server => kube.BaseUri.ToString().TrimEnd('/');

    internal Uri BaseUri => kube.BaseUri;

    public Task<ImageStream?> GetImageStreamAsync(string name, CancellationToken ct) =>
        GetAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ImageStream.Plural, name, ct);

    public Task<DeploymentConfig?> GetDeploymentConfigAsync(string name, CancellationToken ct) =>
        GetAsync<DeploymentConfig>(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, name, ct);

    public Task<ResourceList<ImageStream>> ListImageStreamsAsync(CancellationToken ct) =>
        ListAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ImageStream.Plural, ct);

    public Task<ResourceList<DeploymentConfig>> ListDeploymentConfigsAsync(CancellationToken ct) =>
        ListAsync<DeploymentConfig>(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, ct);

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
    /// The RCs of DeploymentConfigs in every namespace (by their label), in chunks (see <see cref="ListDeploymentConfigsPagedAsync"/>),
    /// each read as what the rollout rules need of it (<see cref="ReplicationControllerProjection"/>).
    /// </summary>
    public async IAsyncEnumerable<V1ReplicationController> ListDeploymentReplicationControllersPagedAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? next = null;
        do
        {
            var page = await GetPageAsync($"api/v1/replicationcontrollers?{PageQuery(DeploymentConfig.ReplicationControllerLabel, next)}", ReplicationControllerProjection.ListTypeInfo,
                "list replicationcontrollers" + AllNamespaces, "replicationcontrollers", string.Empty, ct);
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

    /// <summary>The raw JSON of every object of a kind, for backups that must lose no field (paged, see <see cref="ListPagesAsync"/>).</summary>
    public async Task<JsonArray> ListRawAsync(string group, string version, string plural, CancellationToken ct)
    {
        var all = new JsonArray();
        await foreach (var page in ListPagesAsync(group, version, plural, ct))
        {
            foreach (var item in page.ToList())
            {
                page.Remove(item);
                all.Add(item);
            }
        }

        return all;
    }

    /// <summary>
    /// The objects of a kind in the namespace, one page at a time: LIST with `limit` and `continue` (API chunking,
    /// on by default since Kubernetes 1.9, so OpenShift 3.11 pages too; a server that ignores `limit` answers
    /// everything in one page without a continue token, which ends the loop just the same). Pages are handed out as
    /// they come, so a continue token the server has compacted meanwhile (410 Expired) fails the call: rerun.
    /// </summary>
    public async IAsyncEnumerable<JsonArray> ListPagesAsync(string group, string version, string plural, [EnumeratorCancellation] CancellationToken ct, int limit = 500)
    {
        string? token = null;
        do
        {
            var query = $"limit={limit}" + (token is null ? string.Empty : $"&continue={Uri.EscapeDataString(token)}");
            var page = await GetJsonAsync($"{ResourcePrefix(group, version)}/namespaces/{Namespace}/{plural}?{query}", $"list {plural}", plural, group, ct) as JsonObject;
            token = BackupText(page?["metadata"]?["continue"]);
            yield return page?["items"] as JsonArray ?? [];
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>The resource names a group version serves (discovery), or null when the server does not serve it (404).</summary>
    public async Task<IReadOnlySet<string>?> ServedResourcesAsync(string group, string version, CancellationToken ct)
    {
        try
        {
            var list = await GetJsonAsync(ResourcePrefix(group, version), "get discovery", group.Length == 0 ? version : $"{group}/{version}", group, ct);
            return (list?["resources"] as JsonArray ?? []).Select(r => BackupText(r?["name"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Whether a failure is the API server's 403 (permission denied).</summary>
    public static bool IsForbidden(Exception e) => e.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden };

    /// <summary>Runs a command in a pod as `oc exec` does (<see cref="PodExec"/>), stdout streamed to <paramref name="stdout"/>.</summary>
    public Task<ExecResult> ExecAsync(string pod, string container, IReadOnlyList<string> command, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> stdout, CancellationToken ct) =>
        new PodExec(kube, Namespace).RunAsync(pod, container, command, stdout, ct);

    private static string ResourcePrefix(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private static string? BackupText(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A GET whose answer is read as JSON (no typed model: what is saved must keep every field).</summary>
    private Task<JsonNode?> GetJsonAsync(string relative, string action, string resource, string group, CancellationToken ct) =>
        CallAsync(action, resource, group, async () =>
        {
            using var response = await GetAsync(relative, action, null, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await JsonNode.ParseAsync(body, cancellationToken: ct);
        });

    public Task<ImageStream> PatchImageStreamAsync(string name, JsonArray operations, bool dryRun, CancellationToken ct) =>
        PatchAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ImageStream.Plural, name, operations, dryRun, ct);

    public Task<DeploymentConfig> PatchDeploymentConfigAsync(string name, JsonArray operations, bool dryRun, CancellationToken ct) =>
        PatchAsync<DeploymentConfig>(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, name, operations, dryRun, ct);

    public async Task<IReadOnlyList<V1ReplicationController>> ListReplicationControllersAsync(string deploymentConfig, CancellationToken ct)
    {
        var list = await CallAsync("list replicationcontrollers", "replicationcontrollers", string.Empty, () =>
            kube.CoreV1.ListNamespacedReplicationControllerAsync(Namespace, labelSelector: $"openshift.io/deployment-config.name={deploymentConfig}", cancellationToken: ct));
        return list.Items.ToList();
    }

    /// <summary>
    /// Every RC a DC owns (label openshift.io/deployment-config.name, set by appsutil.MakeDeployment) in the namespace,
    /// or in every namespace the credentials can list: one LIST for all the DCs verify and drift judge.
    /// </summary>
    public async Task<IReadOnlyList<V1ReplicationController>> ListDeploymentReplicationControllersAsync(bool allNamespaces, CancellationToken ct)
    {
        const string selector = DeploymentConfig.ReplicationControllerLabel;
        var list = await CallAsync("list replicationcontrollers" + (allNamespaces ? AllNamespaces : string.Empty), "replicationcontrollers", string.Empty, () => allNamespaces
            ? kube.CoreV1.ListReplicationControllerForAllNamespacesAsync(labelSelector: selector, cancellationToken: ct)
            : kube.CoreV1.ListNamespacedReplicationControllerAsync(Namespace, labelSelector: selector, cancellationToken: ct));
        return list.Items.ToList();
    }

    /// <summary>
    /// An image stream of another namespace (a trigger's from.namespace): the stream, null when it does not exist, or
    /// why it cannot be read (the Role is namespaced, so another namespace is usually forbidden).
    /// </summary>
    public async Task<(ImageStream? Stream, string? Problem)> ReadImageStreamInAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            var stream = await OrNullAsync(() => CallAsync("get imagestreams", ImageStream.Plural, ImageStream.Group, () =>
                kube.CustomObjects.GetNamespacedCustomObjectAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ns, ImageStream.Plural, name, ct)));
            return (stream, null);
        }
        catch (UpgradeException e) when (e.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden })
        {
            return (null, $"these credentials may not get image streams in namespace {ns}");
        }
    }

    /// <summary>The builds of one BuildConfig in every namespace the credentials can list (one LIST by label).</summary>
    public async Task<IReadOnlyList<Build>> ListBuildsEverywhereAsync(string buildConfig, CancellationToken ct)
    {
        var list = await CallAsync("list builds" + AllNamespaces, Build.Plural, BuildConfig.Group, () =>
            kube.CustomObjects.ListClusterCustomObjectAsync<ResourceList<Build>>(BuildConfig.Group, BuildConfig.Version, Build.Plural,
                labelSelector: $"{Build.BuildConfigLabel}={buildConfig}", cancellationToken: ct));
        return list.Items.ToList();
    }

    public async Task<IReadOnlyList<V1Pod>> ListPodsAsync(string labelSelector, CancellationToken ct)
    {
        var list = await CallAsync("list pods", "pods", string.Empty, () =>
            kube.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: labelSelector, cancellationToken: ct));
        return list.Items.ToList();
    }

    /// <summary>
    /// GET pods/{name}/log of one container, at most the last <paramref name="tailLines"/> lines and
    /// <paramref name="limitBytes"/> bytes (both enforced by the server, so a huge log is never transferred).
    /// </summary>
    public async Task<string> ReadPodLogAsync(string pod, string container, int tailLines, int limitBytes, CancellationToken ct)
    {
        using var stream = await CallAsync("get pods/log", "pods/log", string.Empty, () =>
            kube.CoreV1.ReadNamespacedPodLogAsync(pod, Namespace, container: container, tailLines: tailLines, limitBytes: limitBytes, cancellationToken: ct));
        using var reader = new StreamReader(stream);
        var buffer = new char[limitBytes];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), ct);
        return new string(buffer, 0, read);
    }

    public async Task<V1ConfigMap?> GetConfigMapAsync(string name, CancellationToken ct) =>
        await OrNullAsync(() => CallAsync("get configmaps", "configmaps", string.Empty, () => kube.CoreV1.ReadNamespacedConfigMapAsync(name, Namespace, cancellationToken: ct)));

    public Task<V1ConfigMap> CreateConfigMapAsync(V1ConfigMap configMap, CancellationToken ct) =>
        CallAsync("create configmaps", "configmaps", string.Empty, () => kube.CoreV1.CreateNamespacedConfigMapAsync(configMap, Namespace, cancellationToken: ct), configMap.Metadata.Name);

    /// <summary>PUT with the object's resourceVersion: 409 when it changed since it was read.</summary>
    public Task<V1ConfigMap> ReplaceConfigMapAsync(V1ConfigMap configMap, CancellationToken ct) =>
        CallAsync("update configmaps", "configmaps", string.Empty, () => kube.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, configMap.Metadata.Name, Namespace, cancellationToken: ct), configMap.Metadata.Name);

    /// <summary>DELETE with a UID precondition (409 when the object was replaced by another of that name).</summary>
    public Task DeleteConfigMapAsync(string name, string uid, CancellationToken ct) =>
        CallAsync("delete configmaps", "configmaps", string.Empty, () => kube.CoreV1.DeleteNamespacedConfigMapAsync(name, Namespace,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid } }, cancellationToken: ct), name);

    public async Task<V1Secret?> GetSecretAsync(string name, CancellationToken ct) =>
        await OrNullAsync(() => CallAsync("get secrets", "secrets", string.Empty, () => kube.CoreV1.ReadNamespacedSecretAsync(name, Namespace, cancellationToken: ct)));

    public async Task<bool> BuildConfigExistsAsync(string name, CancellationToken ct) =>
        await GetBuildConfigAsync(name, ct) is not null;

    public Task<BuildConfig?> GetBuildConfigAsync(string name, CancellationToken ct) =>
        GetAsync<BuildConfig>(BuildConfig.Group, BuildConfig.Version, BuildConfig.Plural, name, ct);

    /// <summary>The BuildConfigs of one name in every namespace (one LIST with a metadata.name field selector).</summary>
    public async Task<IReadOnlyList<BuildConfig>> ListBuildConfigsEverywhereAsync(string name, CancellationToken ct)
    {
        var list = await CallAsync("list buildconfigs" + AllNamespaces, BuildConfig.Plural, BuildConfig.Group, () =>
            kube.CustomObjects.ListClusterCustomObjectAsync<ResourceList<BuildConfig>>(BuildConfig.Group, BuildConfig.Version, BuildConfig.Plural,
                fieldSelector: $"metadata.name={name}", cancellationToken: ct));
        return list.Items.ToList();
    }

    public Task<BuildConfig> PatchBuildConfigAsync(string name, JsonArray operations, bool dryRun, CancellationToken ct) =>
        PatchAsync<BuildConfig>(BuildConfig.Group, BuildConfig.Version, BuildConfig.Plural, name, operations, dryRun, ct);

    /// <summary>Every build of a BuildConfig (by the label the build generator sets).</summary>
    public async Task<IReadOnlyList<Build>> ListBuildsAsync(string buildConfig, CancellationToken ct)
    {
        var list = await CallAsync("list builds", Build.Plural, BuildConfig.Group, () =>
            kube.CustomObjects.ListNamespacedCustomObjectAsync<ResourceList<Build>>(BuildConfig.Group, BuildConfig.Version, Namespace, Build.Plural,
                labelSelector: $"{Build.BuildConfigLabel}={buildConfig}", cancellationToken: ct));
        return list.Items.ToList();
    }

    /// <summary>
    /// POST buildconfigs/{name}/instantiatebinary with the archive as the body, as `oc start-build --from-dir` does
    /// (openshift/oc pkg/cli/startbuild: a gzipped tar of the directory). The server answers once the build runs and
    /// has its input. Sent once, never retried: a resend could start a second build.
    /// </summary>
    public async Task<Build> InstantiateBinaryAsync(string buildConfig, HttpContent archive, CancellationToken ct)
    {
        await BeforeWriteAsync(ct);
        const string action = "create buildconfigs/instantiatebinary";
        var uri = new Uri(kube.BaseUri, $"apis/{BuildConfig.Group}/{BuildConfig.Version}/namespaces/{Namespace}/{BuildConfig.Plural}/{Uri.EscapeDataString(buildConfig)}/instantiatebinary");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = archive };
        request.Options.Set(TransientRetryHandler.SendOnce, true);
        var content = await CallAsync(action, "buildconfigs/instantiatebinary", BuildConfig.Group, async () =>
        {
            using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            return response.IsSuccessStatusCode ? text : throw ApiErrorMapping.Failed(action, response, text);
        });
        return KubernetesJson.Deserialize<Build>(content);
    }

    /// <summary>
    /// `oc rollout latest dc/NAME` (openshift/oc pkg/cli/rollout/latest.go): POST deploymentconfigs/NAME/instantiate with
    /// DeploymentRequest{name, latest: true, force: true}, which starts a new version from the triggers' current images.
    /// Sent once (a resend could start a second version); a rerun sees the new version and waits for it.
    /// </summary>
    public async Task<DeploymentConfig> InstantiateLatestAsync(string name, CancellationToken ct)
    {
        await BeforeWriteAsync(ct);
        const string action = "create deploymentconfigs/instantiate";
        var uri = new Uri(kube.BaseUri, $"apis/{DeploymentConfig.Group}/{DeploymentConfig.Version}/namespaces/{Namespace}/{DeploymentConfig.Plural}/{Uri.EscapeDataString(name)}/instantiate");
        var body = new JsonObject
        {
            ["kind"] = "DeploymentRequest",
            ["apiVersion"] = "apps.openshift.io/v1",
            ["name"] = name,
            ["latest"] = true,
            ["force"] = true,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        request.Options.Set(TransientRetryHandler.SendOnce, true);
        var content = await CallAsync(action, "deploymentconfigs/instantiate", DeploymentConfig.Group, async () =>
        {
            using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            return response.IsSuccessStatusCode ? text : throw ApiErrorMapping.Failed(action, response, text);
        });
        return KubernetesJson.Deserialize<DeploymentConfig>(content);
    }

    public async Task<bool> NamespaceExistsAsync(CancellationToken ct) =>
        await OrNullAsync(() => CallAsync("get namespaces", "namespaces", string.Empty, () => kube.CoreV1.ReadNamespaceAsync(Namespace, cancellationToken: ct))) is not null;

    /// <summary>SelfSubjectAccessReview: may the current user do this? (allowed to every authenticated user).</summary>
    public async Task<bool> CanIAsync(string verb, string group, string resource, CancellationToken ct, string? name = null)
    {
        var parts = resource.Split('/', 2);
        var review = new V1SelfSubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SelfSubjectAccessReview",
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes
                {
                    NamespaceProperty = Namespace,
                    Verb = verb,
                    Group = group,
                    Resource = parts[0],
                    Subresource = parts.Length > 1 ? parts[1] : null,
                    Name = name,
                },
            },
        };
        var answer = await CallAsync("create selfsubjectaccessreviews", "selfsubjectaccessreviews", "authorization.k8s.io", () =>
            kube.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct));
        return answer.Status?.Allowed == true;
    }

    /// <summary>Every DeploymentConfig of the namespace (see <see cref="ResourceWatch{T}"/>).</summary>
    public ResourceWatch<DeploymentConfig> DeploymentConfigWatch() =>
        new(this, new WatchTarget(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural));

    /// <summary>Pods by label (container states carry the reasons a rollout is stuck).</summary>
    public ResourceWatch<V1Pod> PodWatch(string labelSelector) =>
        new(this, new WatchTarget(string.Empty, "v1", "pods", LabelSelector: labelSelector));

    /// <summary>One image stream (a metadata.name field selector).</summary>
    public ResourceWatch<ImageStream> ImageStreamWatch(string name) =>
        new(this, new WatchTarget(ImageStream.Group, ImageStream.Version, ImageStream.Plural, FieldSelector: $"metadata.name={name}"));

    /// <summary>One build (a metadata.name field selector).</summary>
    public ResourceWatch<Build> BuildWatch(string name) =>
        new(this, new WatchTarget(BuildConfig.Group, BuildConfig.Version, Build.Plural, FieldSelector: $"metadata.name={name}"));

    /// <summary>Sends a request built by hand (watch streams, /version, binary uploads) with the kubeconfig's credentials.</summary>
    internal async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        if (kube.Credentials is not null)
        {
            await kube.Credentials.ProcessHttpRequestAsync(request, ct);
        }

        return await kube.HttpClient.SendAsync(request, completion, ct);
    }

    /// <summary>
    /// A GET built by hand (JSON accepted; <paramref name="prepare"/> may set request options), returned once its
    /// headers arrive; a failed answer is raised as KubernetesClient raises one (<see cref="ApiErrorMapping.Failed"/>).
    /// </summary>
    private async Task<HttpResponseMessage> GetAsync(string relative, string action, Action<HttpRequestMessage>? prepare, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kube.BaseUri, relative));
        request.Headers.Accept.ParseAdd("application/json");
        prepare?.Invoke(request);
        var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw ApiErrorMapping.Failed(action, response, await response.Content.ReadAsStringAsync(ct));
        }
    }

    private async Task<ApiServerVersion> ReadServerVersionAsync(CancellationToken ct)
    {
        var text = await CallAsync("get version", "version", string.Empty, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kube.BaseUri, "version"));
            using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var content = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                return null;
            }

            return response.IsSuccessStatusCode ? content : throw ApiErrorMapping.Failed("get version", response, content);
        });
        try
        {
            return text is null ? ApiServerVersion.Unknown : ApiServerVersion.Parse(JsonNode.Parse(text));
        }
        catch (JsonException)
        {
            return ApiServerVersion.Unknown;
        }
    }

    private async Task<T?> GetAsync<T>(string group, string version, string plural, string name, CancellationToken ct)
        where T : class
    {
        var result = await OrNullAsync(() => CallAsync($"get {plural}", plural, group, () =>
            kube.CustomObjects.GetNamespacedCustomObjectAsync<T>(group, version, Namespace, plural, name, ct), name));
        return result;
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

    private Task<ResourceList<T>> ListAsync<T>(string group, string version, string plural, CancellationToken ct) =>
        CallAsync($"list {plural}", plural, group, () =>
            kube.CustomObjects.ListNamespacedCustomObjectAsync<ResourceList<T>>(group, version, Namespace, plural, cancellationToken: ct));

    private async Task<T> PatchAsync<T>(string group, string version, string plural, string name, JsonArray operations, bool dryRun, CancellationToken ct)
    {
        // The last line of defence of D1: below 1.13 `dryRun=All` is ignored and the patch APPLIED. Stages decide
        // earlier (and print why); reaching this is a bug, so refuse rather than change the cluster.
        if (dryRun && await GetServerVersionAsync(ct) is { SupportsDryRun: false } old)
        {
            throw new InvalidOperationException($"refusing to send a dry-run patch to Kubernetes {old}, which would apply it (server-side dry run needs 1.13)");
        }

        if (!dryRun)
        {
            await BeforeWriteAsync(ct);
        }

        try
        {
            return await CallAsync($"patch {plural}", plural, group, () =>
                kube.CustomObjects.PatchNamespacedCustomObjectAsync<T>(new V1Patch(GoJsonEncoding.Serialize(operations), V1Patch.PatchType.JsonPatch),
                    group, version, Namespace, plural, name, dryRun: dryRun ? "All" : null, fieldManager: "ciupgrade", cancellationToken: ct), name);
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.UnprocessableEntity || e.GuardFailed)
        {
            throw await RefusedAsync(e, $"{ResourcePrefix(group, version)}/namespaces/{Namespace}/{plural}/{Uri.EscapeDataString(name)}", plural, group, ct);
        }
    }

    /// <summary>
    /// A JSON patch the server refused to apply, with the object as the server holds it right after (its JSON as the
    /// server spells it), so the caller can tell a concurrent change (the resourceVersion moved) from a guard that can
    /// never pass (<see cref="Stages.GuardedPatch"/>).
    /// </summary>
    private async Task<ClusterRequestException> RefusedAsync(ClusterRequestException e, string relative, string resource, string group, CancellationToken ct)
    {
        string? stored = null;
        try
        {
            stored = await CallAsync($"get {resource}", resource, group, async () =>
            {
                using var response = await GetAsync(relative, $"get {resource}", null, ct);
                return await response.Content.ReadAsStringAsync(ct);
            });
        }
        catch (Exception read) when (read is ClusterRequestException or UpgradeException)
        {
            // Gone or unreadable: the caller re-reads it and reports that.
        }

        return new ClusterRequestException(e.StatusCode, e.Reason, e.Message, e.InnerException!)
        {
            Object = e.Object,
            FailedTest = e.FailedTest,
            GuardFailed = true,
            Stored = stored,
        };
    }

    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<T> CallAsync<T>(string action, string resource, string group, Func<Task<T>> call, string? name = null)
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e)
        {
            throw Translate(e, action, resource, group, name);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && ApiErrorMapping.IsCertificateRejection(e))
        {
            throw ApiErrorMapping.CertificateRejected(e, Server);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // The retry handler has already ridden out the outage for the whole --api-retry-budget.
            throw new UpgradeException(ExitCode.ClusterUnreachable, $"cannot reach the API server at {Server} ({action}): {e.Message} (check --kubeconfig/--context and that the cluster is up; --api-retry-budget sets how long an outage is waited out)", e);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new UpgradeException(ExitCode.ClusterUnreachable, $"the API server at {Server} did not answer in time ({action}); check the network and retry", e);
        }
    }

    /// <summary>Ends the action of a request across every namespace, so a denial names the cluster-scoped grant.</summary>
    private const string AllNamespaces = ApiErrorMapping.AllNamespaces;

    /// <summary>The exception a failed request becomes (<see cref="ApiErrorMapping"/>, the one place that decides).</summary>
    internal Exception Translate(HttpOperationException e, string action, string resource, string group, string? name = null) =>
        ApiErrorMapping.Translate(e, Server, Namespace, action, resource, group, name);
}
