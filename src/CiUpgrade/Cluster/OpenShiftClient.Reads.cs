using System.Net;
using System.Text.Json.Serialization.Metadata;
using CiUpgrade.Cluster.Models;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>Typed reads: GET and LIST of the resources the stages judge, and the access reviews preflight asks.</summary>
public sealed partial class OpenShiftClient
{
    public Task<ImageStream?> GetImageStreamAsync(string name, CancellationToken ct) =>
        GetAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ImageStream.Plural, name, ct);

    public Task<DeploymentConfig?> GetDeploymentConfigAsync(string name, CancellationToken ct) =>
        GetAsync<DeploymentConfig>(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, name, ct);

    public Task<ResourceList<ImageStream>> ListImageStreamsAsync(CancellationToken ct) =>
        ListAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ImageStream.Plural, ct);

    public Task<ResourceList<DeploymentConfig>> ListDeploymentConfigsAsync(CancellationToken ct) =>
        ListAsync<DeploymentConfig>(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, ct);

    /// <summary>The namespace's DCs as the gate judges them, without what no rule reads (<see cref="DeploymentConfigProjection"/>): never to be written back.</summary>
    public Task<ResourceList<DeploymentConfig>> ListDeploymentConfigsToJudgeAsync(CancellationToken ct) =>
        ListAsync(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, ct, DeploymentConfigProjection.ListTypeInfo);

    public async Task<IReadOnlyList<V1ReplicationController>> ListReplicationControllersAsync(string deploymentConfig, CancellationToken ct)
    {
        var list = await CallAsync("list replicationcontrollers", "replicationcontrollers", string.Empty, () =>
            kube.CoreV1.ListNamespacedReplicationControllerAsync(Namespace, labelSelector: $"openshift.io/deployment-config.name={deploymentConfig}", cancellationToken: ct));
        return list.Items.ToList();
    }

    /// <summary>
    /// Every RC a DC owns (label openshift.io/deployment-config.name, set by appsutil.MakeDeployment) in the namespace,
    /// or in every namespace the credentials can list: one LIST (of up to <see cref="PageSize"/>, then chunked) for all
    /// the DCs verify and drift judge, each RC read as what the rollout rules need of it
    /// (<see cref="ReplicationControllerProjection"/>): an install's RCs are mostly pod templates and encoded DCs
    /// (370 kB of JSON for the 14 DCs of a 3scale install after one upgrade), which the rules never read.
    /// </summary>
    public async Task<IReadOnlyList<V1ReplicationController>> ListDeploymentReplicationControllersAsync(bool allNamespaces, CancellationToken ct)
    {
        var rcs = new List<V1ReplicationController>();
        await foreach (var rc in ListDeploymentReplicationControllersPagedAsync(allNamespaces, ct))
        {
            rcs.Add(rc);
        }

        return rcs;
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

    public async Task<V1Pod?> GetPodAsync(string name, CancellationToken ct) =>
        await OrNullAsync(() => CallAsync("get pods", "pods", string.Empty, () => kube.CoreV1.ReadNamespacedPodAsync(name, Namespace, cancellationToken: ct)));

    /// <summary>One replication controller whole (the annotation with the DC it was made from included).</summary>
    public async Task<V1ReplicationController?> GetReplicationControllerAsync(string name, CancellationToken ct) =>
        await OrNullAsync(() => CallAsync("get replicationcontrollers", "replicationcontrollers", string.Empty, () => kube.CoreV1.ReadNamespacedReplicationControllerAsync(name, Namespace, cancellationToken: ct)));

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

    /// <summary>Every build of a BuildConfig (by the label the build generator sets).</summary>
    public async Task<IReadOnlyList<Build>> ListBuildsAsync(string buildConfig, CancellationToken ct)
    {
        var list = await CallAsync("list builds", Build.Plural, BuildConfig.Group, () =>
            kube.CustomObjects.ListNamespacedCustomObjectAsync<ResourceList<Build>>(BuildConfig.Group, BuildConfig.Version, Namespace, Build.Plural,
                labelSelector: $"{Build.BuildConfigLabel}={buildConfig}", cancellationToken: ct));
        return list.Items.ToList();
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

    private async Task<T?> GetAsync<T>(string group, string version, string plural, string name, CancellationToken ct)
        where T : class
    {
        var result = await OrNullAsync(() => CallAsync($"get {plural}", plural, group, () =>
            kube.CustomObjects.GetNamespacedCustomObjectAsync<T>(group, version, Namespace, plural, name, ct), name));
        return result;
    }

    /// <summary>
    /// A LIST of the namespace in one answer, as KubernetesClient's CustomObjects call sends it, but read into its objects
    /// as it arrives (<see cref="GetPageAsync"/>): that call buffers the whole body first, and reaches its generic
    /// method through NativeAOT's run-time type loader (4 % of `verify`'s CPU time, perf; bench/verify-vs-get-dc.sh).
    /// Read whole, or with <paramref name="typeInfo"/> (a projection).
    /// </summary>
    private Task<ResourceList<T>> ListAsync<T>(string group, string version, string plural, CancellationToken ct, JsonTypeInfo<ResourceList<T>>? typeInfo = null) =>
        GetPageAsync($"{ResourcePrefix(group, version)}/namespaces/{Namespace}/{plural}", typeInfo ?? OpenShiftJson.TypeInfo<ResourceList<T>>(OpenShiftJson.Options),
            $"list {plural}", plural, group, ct);
}
