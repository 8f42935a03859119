using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;

namespace CiUpgrade.Cluster;

/// <summary>
/// The only door to the cluster: typed get/list/patch/watch of the OpenShift and core resources ciupgrade uses,
/// with Kubernetes errors turned into <see cref="UpgradeException"/>s that name what to do. Retries of transient
/// failures happen one level down, in <see cref="TransientRetryHandler"/>.
/// </summary>
/// <remarks>
/// One partial class in a file per concern, as kubernetes-client/csharp splits its <c>partial class Kubernetes</c>
/// (src/KubernetesClient: Kubernetes.cs, Kubernetes.ConfigInit.cs, Kubernetes.Exec.cs, Kubernetes.WebSocket.cs, and a
/// generated file per API group): callers keep one object and one name, and each file reads on its own. This file holds
/// what every request shares (the connection, the server's version, the translation of failures); the others:
/// <c>.Reads</c> (typed GET/LIST), <c>.Paging</c> (chunked LISTs read as they arrive), <c>.RawJson</c> (untyped reads for
/// backups), <c>.Writes</c> (patches, creates and instantiations, behind <see cref="BeforeWrite"/>), <c>.Watches</c>,
/// <c>.Exec</c> and <c>.Raw</c> (requests built by hand).
/// </remarks>
public sealed partial class OpenShiftClient(Kubernetes kube, string ns, RequestCounter? counter = null)
{
    private readonly Lock _versionLock = new();
    private Task<ApiServerVersion>? _version;

    public string Namespace { get; } = ns;

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

    /// <summary>Whether a failure is the API server's 403 (permission denied).</summary>
    public static bool IsForbidden(Exception e) => e.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden };

    private static string ResourcePrefix(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private async Task<ApiServerVersion> ReadServerVersionAsync(CancellationToken ct)
    {
        var text = await CallAsync("get version", "version", string.Empty, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kube.BaseUri, "version")) { Version = HttpVersion.Version20 };
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
