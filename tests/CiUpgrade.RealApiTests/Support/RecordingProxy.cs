using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>One request ciupgrade sent, as the proxy passed it on.</summary>
public sealed record ProxiedRequest(string Method, string PathAndQuery, string Body)
{
    public string Path => PathAndQuery.Split('?')[0];

    public bool IsWatch => PathAndQuery.Contains("watch=1", StringComparison.Ordinal) || PathAndQuery.Contains("watch=true", StringComparison.Ordinal);

    public bool IsDryRun => PathAndQuery.Contains("dryRun=All", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {PathAndQuery}";
}

/// <summary>
/// A loopback HTTP proxy in front of the real API server that records every request a ciupgrade run sends (the real
/// server keeps no log a test could read), and may act just before passing one on (<see cref="Before"/>): another
/// client's write landing between a stage's read and its patch, or a request rewritten. ciupgrade reaches it through a
/// kubeconfig of its own (plain HTTP on loopback, the caller's token passed on); it reaches the server over TLS.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Lock _lock = new();
    private readonly List<ProxiedRequest> _requests = [];

    private RecordingProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>
    /// Runs before each request is passed on; it returns the path and query to send instead, or null to send it as it
    /// came. Set by the test before the run.
    /// </summary>
    public Func<ProxiedRequest, Task<string?>>? Before { get; set; }

    /// <summary>The body to send instead of the one that came (null: as it came). Set by the test before the run.</summary>
    public Func<ProxiedRequest, string?>? RewriteBody { get; set; }

    public IReadOnlyList<ProxiedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The requests that change something (not reads, not dry runs).</summary>
    public IReadOnlyList<ProxiedRequest> Writes => Requests.Where(r => r.Method is not "GET" && !r.IsDryRun && !r.Path.EndsWith("/selfsubjectaccessreviews", StringComparison.Ordinal)).ToList();

    /// <summary>The writes to the install itself: <see cref="Writes"/> less the namespace lock's create, renewals and delete.</summary>
    public IReadOnlyList<ProxiedRequest> InstallWrites => Writes.Where(r => !(r.Path.EndsWith("/configmaps", StringComparison.Ordinal) && r.Method == "POST")
        && !r.Path.EndsWith("/configmaps/ciupgrade-lock", StringComparison.Ordinal)).ToList();

    public void Clear()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }

    public static async Task<RecordingProxy> StartAsync(Uri server, X509Certificate2Collection trusted)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
            cert is not null && trusted.Any(t => t.RawData.AsSpan().SequenceEqual(cert.GetRawCertData()));
        var upstream = new HttpClient(handler) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new RecordingProxy(app, upstream);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return proxy;
    }

    /// <summary>A kubeconfig that reaches the server through this proxy with <paramref name="token"/>.</summary>
    public string WriteKubeconfig(string path, string token, string ns)
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: proxied
              cluster:
                server: {BaseUri.ToString().TrimEnd('/')}
            users:
            - name: proxied
              user:
                token: {token}
            contexts:
            - name: proxied
              context:
                cluster: proxied
                user: proxied
                namespace: {ns}
            current-context: proxied
            """);
        return path;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var recorded = new ProxiedRequest(request.Method, request.Path + request.QueryString, Encoding.UTF8.GetString(body.ToArray()));
        lock (_lock)
        {
            _requests.Add(recorded);
        }

        var target = Before is { } before ? await before(recorded) ?? recorded.PathAndQuery : recorded.PathAndQuery;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), target.TrimStart('/'));
        if (body.Length > 0 || request.ContentType is not null)
        {
            forward.Content = new ByteArrayContent(RewriteBody?.Invoke(recorded) is { } rewritten ? Encoding.UTF8.GetBytes(rewritten) : body.ToArray());
            if (request.ContentType is { } type)
            {
                forward.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            }
        }

        foreach (var header in new[] { "Authorization", "Accept", "User-Agent" })
        {
            if (request.Headers.TryGetValue(header, out var values))
            {
                forward.Headers.TryAddWithoutValidation(header, values.ToArray());
            }
        }

        using var answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        if (answer.Content.Headers.ContentType is { } contentType)
        {
            context.Response.ContentType = contentType.ToString();
        }

        // Streamed as it arrives, so a watch's events reach ciupgrade one by one.
        await using var stream = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
