using System.Net;

namespace CiUpgrade.Cluster;

/// <summary>
/// Requests built by hand, for what KubernetesClient's generated calls do not do (watch streams, /version, binary
/// uploads, pages read as they arrive): sent with the kubeconfig's credentials over the same HTTP client and handlers.
/// </summary>
public sealed partial class OpenShiftClient
{
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
    /// It asks for HTTP/2 as KubernetesClient's generated calls do (k8s.Kubernetes.SendRequest; HTTP/1.1 where the
    /// server offers no more), so it shares their connection: an HTTP/1.1 request sent beside them opened a second
    /// connection with its own TLS handshake (verify's RC list, bench/verify-vs-get-dc.sh).
    /// </summary>
    private async Task<HttpResponseMessage> GetAsync(string relative, string action, Action<HttpRequestMessage>? prepare, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kube.BaseUri, relative)) { Version = HttpVersion.Version20 };
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
}
