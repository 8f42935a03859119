using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Stages;

[Collection(StagesCollection.Name)]
public sealed class PreflightTests(RealApiServer server) : SeededInstallTest(server, "preflight")
{
    [Fact]
    public async Task Preflight_passes_on_a_healthy_26_install()
    {
        var run = await RunAsync("preflight");

        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains($"ready to upgrade {Ns} from 2.6 to 2.7", run.Out, StringComparison.Ordinal);
    }
}
