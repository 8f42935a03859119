using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;
using k8s;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// Everything that changes the cluster. Patches (not dry runs) and instantiations wait for <see cref="BeforeWrite"/>
/// first; the namespace lock's own ConfigMap (create, replace, delete) does not, since it is what that hook takes.
/// </summary>
public sealed partial class OpenShiftClient
{
    /// <summary>
    /// Awaited before every request that changes the cluster (patches that are not dry runs, instantiate,
    /// instantiatebinary; not the namespace lock's own ConfigMap): a mutating stage takes its namespace lock here,
    /// after its read-only checks, so a stage that refuses or has nothing to do writes nothing at all.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeWrite { get; set; }

    private Task BeforeWriteAsync(CancellationToken ct) => BeforeWrite?.Invoke(ct) ?? Task.CompletedTask;

    public Task<ImageStream> PatchImageStreamAsync(string name, JsonArray operations, bool dryRun, CancellationToken ct) =>
        PatchAsync<ImageStream>(ImageStream.Group, ImageStream.Version, ImageStream.Plural, name, operations, dryRun, ct);

    public Task<DeploymentConfig> PatchDeploymentConfigAsync(string name, JsonArray operations, bool dryRun, CancellationToken ct) =>
        PatchAsync<DeploymentConfig>(DeploymentConfig.Group, DeploymentConfig.Version, DeploymentConfig.Plural, name, operations, dryRun, ct);

    public Task<BuildConfig> PatchBuildConfigAsync(string name, JsonArray operations, bool dryRun, CancellationToken ct) =>
        PatchAsync<BuildConfig>(BuildConfig.Group, BuildConfig.Version, BuildConfig.Plural, name, operations, dryRun, ct);

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

    public Task<V1ConfigMap> CreateConfigMapAsync(V1ConfigMap configMap, CancellationToken ct) =>
        CallAsync("create configmaps", "configmaps", string.Empty, () => kube.CoreV1.CreateNamespacedConfigMapAsync(configMap, Namespace, cancellationToken: ct), configMap.Metadata.Name);

    /// <summary>PUT with the object's resourceVersion: 409 when it changed since it was read.</summary>
    public Task<V1ConfigMap> ReplaceConfigMapAsync(V1ConfigMap configMap, CancellationToken ct) =>
        CallAsync("update configmaps", "configmaps", string.Empty, () => kube.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, configMap.Metadata.Name, Namespace, cancellationToken: ct), configMap.Metadata.Name);

    /// <summary>DELETE with a UID precondition (409 when the object was replaced by another of that name).</summary>
    public Task DeleteConfigMapAsync(string name, string uid, CancellationToken ct) =>
        CallAsync("delete configmaps", "configmaps", string.Empty, () => kube.CoreV1.DeleteNamespacedConfigMapAsync(name, Namespace,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid } }, cancellationToken: ct), name);

    /// <summary>Waits for <see cref="BeforeWrite"/> (the namespace lock) before a write of a kind the other methods do not guard: ConfigMaps other than the lock's, exec with stdin.</summary>
    public Task EnsureWritableAsync(CancellationToken ct) => BeforeWriteAsync(ct);

    public async Task<V1Pod> CreatePodAsync(V1Pod pod, CancellationToken ct)
    {
        await BeforeWriteAsync(ct);
        return await CallAsync("create pods", "pods", string.Empty, () => kube.CoreV1.CreateNamespacedPodAsync(pod, Namespace, cancellationToken: ct), pod.Metadata.Name);
    }

    /// <summary>DELETE with a UID precondition; an already deleted pod is fine.</summary>
    public async Task DeletePodAsync(string name, string uid, CancellationToken ct)
    {
        await BeforeWriteAsync(ct);
        await OrNullAsync<object>(async () => await CallAsync("delete pods", "pods", string.Empty, () => kube.CoreV1.DeleteNamespacedPodAsync(name, Namespace,
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid } }, cancellationToken: ct), name));
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
}
