using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>One answer: its status, its body as sent (bytes matter: the wire is what is compared) and parsed.</summary>
public sealed record ApiAnswer(HttpStatusCode Code, string Text, string? ContentType)
{
    public JsonNode? Body => Text.Length == 0 ? null : JsonNode.Parse(Text);

    public JsonObject Object => Body as JsonObject ?? throw new InvalidOperationException($"{(int)Code}: not a JSON object: {Text}");

    public override string ToString() => $"{(int)Code} {Text}";
}

/// <summary>
/// Raw HTTPS requests to an API server (the real one, or the simulator) with one bearer token, trusting only the
/// server's own certificate: for seeding, for asserting state, and for comparing the two servers' answers byte for byte.
/// </summary>
public sealed class RealApi : IDisposable
{
    private readonly HttpClient _http;

    public RealApi(Uri baseUri, X509Certificate2Collection trusted, string? token)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            cert is not null && trusted.Any(t => t.RawData.AsSpan().SequenceEqual(cert.GetRawCertData()));
        _http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _http.SendAsync(request);
        return new ApiAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public Task<ApiAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiAnswer> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body.ToJsonString());

    public Task<ApiAnswer> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body.ToJsonString());

    public Task<ApiAnswer> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <summary>A JSON patch sent exactly as spelled (no re-encoding: the spelling is what some tests are about).</summary>
    public Task<ApiAnswer> JsonPatchAsync(string path, string patch) => SendAsync(HttpMethod.Patch, path, patch, "application/json-patch+json");

    public Task<ApiAnswer> MergePatchAsync(string path, string patch) => SendAsync(HttpMethod.Patch, path, patch, "application/merge-patch+json");

    /// <summary>The object at <paramref name="path"/>, failing the test when the server does not answer 200.</summary>
    public async Task<JsonObject> ObjectAsync(string path)
    {
        var answer = await GetAsync(path);
        Assert.True(answer.Code == HttpStatusCode.OK, $"GET {path}: {answer}");
        return answer.Object;
    }

    /// <summary>A watch's events as the server sends them, one JSON object a line, until <paramref name="ct"/> or the server ends it.</summary>
    public async IAsyncEnumerable<JsonObject> WatchAsync(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonNode.Parse(line)!.AsObject();
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
