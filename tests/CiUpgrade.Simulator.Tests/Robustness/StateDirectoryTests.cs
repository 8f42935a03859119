using System.Net;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Robustness;

/// <summary>--state-dir: an API server restart rehearsed by stopping the simulator and starting it again.</summary>
public sealed class StateDirectoryTests : IDisposable
{
    private const string Streams = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-state-" + Guid.NewGuid().ToString("N")[..8]);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token;

    [Fact]
    public async Task A_simulator_started_again_on_its_state_directory_resumes_its_objects_on_the_same_port_token_and_certificate()
    {
        string token, pem, resourceVersion;
        int port;
        await using (var first = await Start(SeedOptions.Default))
        {
            using var api = new ApiClient(first, first.AdminToken);
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"kept":"yes"}}}""", "application/merge-patch+json")).Code);
            await first.WaitForIdleAsync(Timeout);
            resourceVersion = (string)(await api.GetAsync(Streams)).Body!["metadata"]!["resourceVersion"]!;
            (token, pem, port) = (first.AdminToken, first.CertificateAuthorityPem, first.BaseUri.Port);
            Assert.False(first.Restored);
        }

        // Seed options differ on purpose: a resumed store is not seeded again.
        await using var second = await Start(SeedOptions.Parse("3scale-2.6,no-optional"));
        using var again = new ApiClient(second, token);

        Assert.True(second.Restored);
        Assert.Equal((token, pem, port), (second.AdminToken, second.CertificateAuthorityPem, second.BaseUri.Port));
        var (code, stream, _) = await again.GetAsync(Streams + "/amp-zync");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("yes", (string?)stream!["metadata"]!["labels"]!["kept"]);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/system-mysql")).Code);
        Assert.Equal(resourceVersion, (string)(await again.GetAsync(Streams)).Body!["metadata"]!["resourceVersion"]!);
        var first410 = await again.WatchAsync($"{Streams}?watch=true&resourceVersion={long.Parse(resourceVersion, System.Globalization.CultureInfo.InvariantCulture) - 1}", Timeout).FirstAsync(Timeout);
        Assert.Equal(410, (int)first410["object"]!["code"]!);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "store.json")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<SimulatedCluster> Start(SeedOptions seed) =>
        SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, Seeds = [("3scale", seed)], StateDirectory = _dir });
}
