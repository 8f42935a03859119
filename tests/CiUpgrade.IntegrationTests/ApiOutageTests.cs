using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// A control-plane restart during a mutating stage: the simulator's listener closes for 20 s (every connection
/// dropped, new ones refused) once the stage has sent its first write, and opens again with the state kept. The
/// stage rides it out within --api-retry-budget, says so, and completes.
/// </summary>
public sealed class ApiOutageTests : UpgradeTest
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    private Task OutageAfterFirstWrite() =>
        Cluster.Outage.After(1, r => r.Method == "PATCH" && r.StatusCode == 200, Outage, Timeout);

    [Fact]
    public async Task Patch_imagestreams_and_set_release_ride_out_an_outage()
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Path.Combine(Dir, "backup"))).Code);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        foreach (var stage in new[] { "patch-imagestreams", "set-release" })
        {
            var outage = OutageAfterFirstWrite();
            var (code, output, error) = await Ciupgrade(stage);
            await outage;

            Assert.True(code == 0, $"{stage}: {error}\n{output}");
            Assert.Contains("unreachable for", output, StringComparison.Ordinal);
            Assert.Contains("reachable again after", output, StringComparison.Ordinal);
        }

        await VerifyAsync(0);
    }

    [Fact]
    public async Task Rollback_rides_out_an_outage()
    {
        await UpgradeAsync(databases: true);
        var outage = OutageAfterFirstWrite();

        var (code, output, error) = await Ciupgrade("rollback", "--backup-dir", Path.Combine(Dir, "backup"), "--restore-data");
        await outage;

        Assert.True(code == 0, $"{error}\n{output}");
        Assert.Contains("unreachable for", output, StringComparison.Ordinal);
        Assert.Equal(0, (await Ciupgrade("preflight")).Code);
    }

    [Fact]
    public async Task An_outage_longer_than_the_budget_exits_3()
    {
        await Cluster.Outage.StopAsync();

        var (code, _, error) = await Ciupgrade("preflight", "--api-retry-budget", "2s");

        Assert.Equal(3, code);
        Assert.Contains("cannot reach the API server", error, StringComparison.Ordinal);
    }
}

/// <summary>The Oracle system build rides out an outage that starts once its BuildConfig patch was sent.</summary>
public sealed class OracleApiOutageTests : UpgradeTest
{
    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    [Fact]
    public async Task Build_oracle_system_rides_out_an_outage()
    {
        var dir = Path.Combine(Dir, "system-oracle");
        Directory.CreateDirectory(Path.Combine(dir, "oracle-client-files"));
        foreach (var file in ThreeScaleSeed.OracleClientFiles)
        {
            File.WriteAllText(Path.Combine(dir, file), "stand-in for " + file);
        }

        var outage = Cluster.Outage.After(1, r => r.Method == "PATCH" && r.StatusCode == 200 && r.Path.Contains("/buildconfigs/", StringComparison.Ordinal), TimeSpan.FromSeconds(20), Timeout);
        var (code, output, error) = await Ciupgrade("build-oracle-system", "--oracle-client-dir", dir);
        await outage;

        Assert.True(code == 0, $"{error}\n{output}");
        Assert.Contains("unreachable for", output, StringComparison.Ordinal);
    }
}
