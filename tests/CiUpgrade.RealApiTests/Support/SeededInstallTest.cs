using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>A test with its own namespace of the collection's real API server, seeded with a healthy 3scale 2.6 install.</summary>
public abstract class SeededInstallTest(RealApiServer server, string prefix) : IAsyncLifetime
{
    protected RealApiServer Server { get; } = server;

    protected string Ns { get; } = RealApiServer.NewNamespace(prefix);

    protected RealApi Api => Server.Admin;

    /// <summary>A scratch folder of this test (backups, JUnit files).</summary>
    protected string Dir => Path.Combine(Server.Scratch, Ns);

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        await InstallSeed.SeedAsync(Api, Ns);
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }

    private RecordingProxy? _proxy;

    /// <summary>A recording proxy to the server for this test, and a kubeconfig through it with the admin's token (or <paramref name="token"/>).</summary>
    protected async Task<(RecordingProxy Proxy, string Kubeconfig)> ProxyAsync(string? token = null)
    {
        _proxy ??= await RecordingProxy.StartAsync(Server.BaseUri, Server.ServingBundle);
        return (_proxy, _proxy.WriteKubeconfig(Path.Combine(Dir, $"kubeconfig-proxied-{Guid.NewGuid():N}"), token ?? Server.AdminToken, Ns));
    }

    /// <summary>`ciupgrade ARGS -n NS --kubeconfig K --timeout 2m` as its own process.</summary>
    protected Task<Ciupgrade.Result> RunAsync(params string[] args) => RunAsAsync(Server.Kubeconfig, args);

    protected Task<Ciupgrade.Result> RunAsAsync(string kubeconfig, params string[] args) => RunWithAsync(kubeconfig, null, args);

    protected Task<Ciupgrade.Result> RunWithAsync(string kubeconfig, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Ciupgrade.RunAsync(kubeconfig, args.Contains("--timeout") ? [.. args, "-n", Ns] : [.. args, "-n", Ns, "--timeout", "2m"], environment);

    protected Task<JsonObject> StreamAsync(string name) => Api.ObjectAsync($"apis/image.openshift.io/v1/namespaces/{Ns}/imagestreams/{name}");

    protected Task<JsonObject> DeploymentConfigAsync(string name) => Api.ObjectAsync($"apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/{name}");

    /// <summary>The pre hook command of system-app, as stored.</summary>
    protected async Task<IReadOnlyList<string>> HookCommandAsync() =>
        ((await DeploymentConfigAsync("system-app"))["spec"]!["strategy"]!["rollingParams"]!["pre"]!["execNewPod"]!["command"] as JsonArray)!
            .Select(c => (string)c!).ToList();

    /// <summary>The secret's master access token, as the plan's hook commands use it.</summary>
    protected async Task<string> MasterAccessTokenAsync()
    {
        var secret = await Api.ObjectAsync($"api/v1/namespaces/{Ns}/secrets/system-seed");
        return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"].Str("MASTER_ACCESS_TOKEN")!));
    }

    protected async Task<JsonObject?> ConfigMapAsync(string name)
    {
        var answer = await Api.GetAsync($"api/v1/namespaces/{Ns}/configmaps/{name}");
        return answer.Code == System.Net.HttpStatusCode.NotFound ? null : answer.Object;
    }
}
