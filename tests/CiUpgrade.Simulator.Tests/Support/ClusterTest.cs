using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Simulator.Tests.Support;

/// <summary>One simulated cluster per test, seeded with a 3scale 2.6 install in namespace "3scale".</summary>
public abstract class ClusterTest : IAsyncLifetime
{
    protected const string Ns = "3scale";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-sim-tests-" + Guid.NewGuid().ToString("N")[..8]);

    protected SimulatedCluster Cluster { get; private set; } = null!;

    protected string Kubeconfig { get; private set; } = string.Empty;

    protected virtual SeedOptions Seed => SeedOptions.Default;

    protected virtual ControllerTiming Timing => ControllerTiming.Fast;

    protected virtual ServerVersion ServerVersion => ServerVersion.OpenShift311;

    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        Cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = Timing, Seeds = [(Ns, Seed)], ServerVersion = ServerVersion });
        Kubeconfig = Cluster.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), ns: Ns);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    internal ApiClient Api(string? token = "admin") => new(Cluster, token == "admin" ? Cluster.AdminToken : token);

    protected string Path_(string name) => Path.Combine(_dir, name);

    /// <summary>The runbook's two patches for one stream, exactly as written (with kubectl in place of oc).</summary>
    protected static string[] RunbookPatches(string stream, string display, string image) =>
    [
        """[{"op": "add", "path": "/spec/tags/-", "value": {"annotations": {"openshift.io/display-name": "DISPLAY 2.7"}, "from": { "kind": "DockerImage", "name": "IMAGE"}, "name": "2.7", "referencePolicy": {"type": "Source"}}}]"""
            .Replace("DISPLAY", display, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal),
        """[{"op": "add", "path": "/spec/tags/-", "value": {"annotations": {"openshift.io/display-name": "DISPLAY (latest)"}, "from": { "kind": "ImageStreamTag", "name": "2.7"}, "name": "latest", "referencePolicy": {"type": "Source"}}}]"""
            .Replace("DISPLAY", display, StringComparison.Ordinal),
    ];
}
