using System.Net;
using System.Security.Cryptography.X509Certificates;
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

/// <summary>
/// Kestrel on 127.0.0.1 serving <see cref="RequestHandler"/> for every path. The listener can be stopped (every
/// connection dropped, as when the API server's process restarts) and started again on the same port with the same
/// certificate, keeping the stored state.
/// </summary>
internal sealed class ApiServer : IAsyncDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;

    private ApiServer(RequestHandler handler, X509Certificate2 certificate)
    {
        Handler = handler;
        _certificate = certificate;
        CertificateAuthorityPem = ServingCertificate.ToPem(certificate);
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The PEM of the self-signed serving certificate, for a kubeconfig's certificate-authority-data.</summary>
    public string CertificateAuthorityPem { get; }

    public RequestHandler Handler { get; }

    public static async Task<ApiServer> StartAsync(ResourceRegistry registry, AccessControl access, HttpFaults faults,
        Func<ControllerManager?> controllers, ServerVersion version, Containers.Workloads workloads, int port, CancellationToken cancellationToken, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var server = new ApiServer(new RequestHandler(registry, access, faults, controllers, version, workloads), certificate ?? ServingCertificate.Create());
        server._app = await server.ListenAsync(port, cancellationToken);
        return server;
    }

    /// <summary>Closes the listener and drops every open connection (watches included); the state is kept.</summary>
    public async Task StopListeningAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_app is { } app)
            {
                _app = null;
                await CloseAsync(app);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Listens again on the same address.</summary>
    public async Task StartListeningAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _app ??= await ListenAsync(BaseUri.Port, CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync();
        _gate.Dispose();
    }

    private async Task<WebApplication> ListenAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(_certificate));
            o.AllowSynchronousIO = false;
        });
        var app = builder.Build();
        // pods/exec is a WebSocket upgrade (PodExecHandler).
        app.UseWebSockets();
        app.Run(Handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
        return app;
    }

    private static async Task CloseAsync(WebApplication app)
    {
        // A short grace, then open connections (watches) are aborted, as a killed process drops them.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
