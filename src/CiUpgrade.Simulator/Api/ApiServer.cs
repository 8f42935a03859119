using System.Net;
using CiUpgrade.Simulator.Auth;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CiUpgrade.Simulator.Api;

/// <summary>Kestrel on 127.0.0.1 serving <see cref="RequestHandler"/> for every path.</summary>
internal sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiServer(WebApplication app, RequestHandler handler, Uri baseUri, string caPem)
    {
        _app = app;
        Handler = handler;
        BaseUri = baseUri;
        CertificateAuthorityPem = caPem;
    }

    public Uri BaseUri { get; }

    /// <summary>The PEM of the self-signed serving certificate, for a kubeconfig's certificate-authority-data.</summary>
    public string CertificateAuthorityPem { get; }

    public RequestHandler Handler { get; }

    public static async Task<ApiServer> StartAsync(ResourceRegistry registry, AccessControl access, HttpFaults faults,
        Func<ControllerManager?> controllers, ServerVersion version, int port, CancellationToken cancellationToken, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        certificate ??= ServingCertificate.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate));
            o.AllowSynchronousIO = false;
        });
        var app = builder.Build();
        var handler = new RequestHandler(registry, access, faults, controllers, version);
        // pods/exec is a WebSocket upgrade (PodExecHandler).
        app.UseWebSockets();
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiServer(app, handler, new Uri(address.TrimEnd('/') + "/"), ServingCertificate.ToPem(certificate));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
