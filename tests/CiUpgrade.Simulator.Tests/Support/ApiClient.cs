using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator;

namespace CiUpgrade.Simulator.Tests.Support;

/// <summary>Raw HTTPS requests to the simulator, trusting only its own certificate, for asserting wire shapes.</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(SimulatedCluster cluster, string? token)
    {
        var ca = X509Certificate2.CreateFromPem(cluster.CertificateAuthorityPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == ca.Thumbprint,
        };
        _http = new HttpClient(handler) { BaseAddress = cluster.BaseUri };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public async Task<(HttpStatusCode Code, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>POSTs raw bytes and returns the answer as text (what a proxy in front answers is no Status).</summary>
    public async Task<(HttpStatusCode Code, string Text)> PostBytesForTextAsync(string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = new ByteArrayContent(body) };
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POSTs raw bytes (a binary build's archive).</summary>
    public async Task<(HttpStatusCode Code, JsonNode? Body)> PostBytesAsync(string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = new ByteArrayContent(body) };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>POSTs a body the caller's content writes (it may break off, as a killed client's upload does).</summary>
    public async Task<HttpStatusCode> PostContentAsync(string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = content };
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    public Task<(HttpStatusCode Code, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    /// <summary>GETs a plain-text answer (pods/log).</summary>
    public async Task<(HttpStatusCode Code, string Text, string? ContentType)> GetTextAsync(string path)
    {
        using var response = await _http.GetAsync(path.TrimStart('/'));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Opens a watch and returns the raw lines as they arrive.</summary>
    public async IAsyncEnumerable<JsonNode> WatchAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await _http.GetAsync(path.TrimStart('/'), HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonNode.Parse(line)!;
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
