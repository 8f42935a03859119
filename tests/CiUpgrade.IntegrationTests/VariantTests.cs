using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

public sealed class WithoutOptionalDcsTests : UpgradeTest
{
    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,no-optional");

    [Fact]
    public async Task Upgrade_without_optional_dcs_skips_their_streams_and_reports_them_skipped()
    {
        var (_, preflight, _) = await Ciupgrade("preflight");
        await UpgradeAsync();

        var suite = await VerifyAsync(0);

        Assert.Contains("optional DeploymentConfigs present: none", preflight, StringComparison.Ordinal);
        Assert.DoesNotContain("backend-redis", preflight.Split('\n').Single(l => l.Contains("image streams to patch", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal("4", (string?)suite.Attribute("skipped"));
        Assert.Contains("optional DeploymentConfig backend-redis is not part of this install",
            (string?)suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "backend-redis").Element("skipped")!.Attribute("message"), StringComparison.Ordinal);
    }
}

public sealed class PostgreSqlTests : UpgradeTest
{
    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,postgresql");

    [Fact]
    public async Task Upgrade_of_a_postgresql_backed_system_patches_and_verifies_system_postgresql()
    {
        await UpgradeAsync();

        var suite = await VerifyAsync(0);

        Assert.Null(suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "system-postgresql").Element("skipped"));
        Assert.NotNull(suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "system-mysql").Element("skipped"));
    }
}

public sealed class OracleTests : UpgradeTest
{
    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    [Fact]
    public async Task Oracle_backed_install_is_refused_with_exit_4_naming_the_oracle_procedure()
    {
        var before = Cluster.Registry.Store.CurrentResourceVersion;

        var (code, _, error) = await Ciupgrade("preflight");
        var (patchCode, _, _) = await Ciupgrade("patch-imagestreams");

        Assert.Equal(4, code);
        Assert.Contains("\"Upgrading 3scale with Oracle Database\"", error, StringComparison.Ordinal);
        Assert.Contains("--system-image", error, StringComparison.Ordinal);
        Assert.Equal(4, patchCode);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(before, Cluster.Registry.Store.CurrentResourceVersion);
    }
}
