using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

public partial class PlanTests : UpgradeTest
{
    private static string WithoutResourceVersion(string patch) => ResourceVersionTest().Replace(patch, "\"value\":\"*\"");

    [Fact]
    public async Task Plan_changes_nothing_in_the_cluster()
    {
        var before = Cluster.Registry.List("imagestreams", Ns).Items.Concat(Cluster.Registry.List("deploymentconfigs", Ns).Items)
            .Select(o => (string?)o["metadata"]!["resourceVersion"]).ToList();

        var (code, output, error) = await Ciupgrade("plan");
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.True(code == 0, error);
        var after = Cluster.Registry.List("imagestreams", Ns).Items.Concat(Cluster.Registry.List("deploymentconfigs", Ns).Items)
            .Select(o => (string?)o["metadata"]!["resourceVersion"]).ToList();
        Assert.Equal(before, after);
        Assert.Contains("1. deploymentconfigs/system-app: JSON patch", output, StringComparison.Ordinal);
        Assert.Contains("rolls out: nothing", output, StringComparison.Ordinal);
        Assert.Contains("2. imagestreams/amp-system: JSON patch", output, StringComparison.Ordinal);
        Assert.Contains("rolls out: system-app, system-sidekiq, system-sphinx", output, StringComparison.Ordinal);
        if (ServerVersion.HonoursDryRun)
        {
            Assert.Contains("server dry run: accepted", output, StringComparison.Ordinal);
            Assert.Contains(Cluster.Requests, r => r.Method == "PATCH");
            Assert.All(Cluster.Requests.Where(r => r.Method == "PATCH"), r => Assert.Contains("dryRun=All", r.Query, StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains("[plan] the API server (Kubernetes v1.11.0+d4cacc0) cannot validate these patches (server-side dry run needs Kubernetes 1.13): they are computed here and not sent", output, StringComparison.Ordinal);
            Assert.Contains("(not sent: the server cannot validate it)", output, StringComparison.Ordinal);
            Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
        }
    }

    [Fact]
    public async Task Plan_lists_exactly_the_patches_the_real_run_then_sends()
    {
        var (_, output, _) = await Ciupgrade("plan", "--output", "json");
        var planned = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
            .Where(e => (string?)e["event"] == "patch")
            .Select(e => $"{e["resource"]}/{e["name"]} {WithoutResourceVersion((string)e["patch"]!)}").ToList();
        Cluster.ClearRequests();

        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        Assert.Equal(0, (await Ciupgrade("patch-imagestreams")).Code);
        Assert.Equal(0, (await Ciupgrade("set-release")).Code);

        // The plan shows the master access token as ***; the real patch carries it.
        var token = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)Get("secrets", "system-seed")["data"]!["MASTER_ACCESS_TOKEN"]!));
        var sent = Cluster.Requests.Where(r => r.Method == "PATCH" && !r.Query.Contains("dryRun", StringComparison.Ordinal))
            .Select(r => $"{r.Path.Split('/')[^2]}/{r.Path.Split('/')[^1]} {WithoutResourceVersion(r.Body!.Replace(token, "***", StringComparison.Ordinal))}").ToList();
        Assert.Equal(11, planned.Count);
        Assert.DoesNotContain(token, output, StringComparison.Ordinal);
        Assert.Equal(planned, sent);
    }

    [GeneratedRegex("(?<=\"path\":\"/metadata/resourceVersion\",)\"value\":\"[0-9]+\"")]
    private static partial Regex ResourceVersionTest();
}

/// <summary>Plan on OpenShift 4.x: the same patches, validated by the server with dryRun=All.</summary>
public sealed class PlanOn4xTests : PlanTests
{
    protected override ServerVersion ServerVersion => ServerVersion.OpenShift4;
}

public sealed class OraclePlanTests : UpgradeTest
{
    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    [Fact]
    public async Task Plan_reports_the_preflight_problem_and_exits_with_its_code()
    {
        var (code, output, _) = await Ciupgrade("plan");

        Assert.Equal(4, code);
        Assert.Contains("[plan] preflight: this 3scale install uses an Oracle database", output, StringComparison.Ordinal);
        Assert.Contains("1 problem(s) would stop the upgrade; nothing was changed", output, StringComparison.Ordinal);
    }
}

public sealed class BrokenInstallPlanTests : UpgradeTest
{
    [Fact]
    public async Task Plan_and_preflight_report_every_problem_not_just_the_first()
    {
        Cluster.Registry.Delete("imagestreams", Ns, "amp-zync");
        Cluster.Registry.Delete("deploymentconfigs", Ns, "zync-que");

        var (planCode, output, _) = await Ciupgrade("plan");
        var (code, _, error) = await Ciupgrade("preflight");

        Assert.Equal(4, planCode);
        Assert.Contains("[plan] preflight: namespace 3scale is not a complete 3scale install: image stream amp-zync is missing", output, StringComparison.Ordinal);
        Assert.Contains("[plan] preflight: namespace 3scale is not a complete 3scale install: DeploymentConfig zync-que is missing", output, StringComparison.Ordinal);
        Assert.Equal(4, code);
        Assert.Contains("2 problems: ", error, StringComparison.Ordinal);
    }
}
