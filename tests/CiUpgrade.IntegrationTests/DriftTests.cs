using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

public class DriftTests : UpgradeTest
{
    private async Task<(int Code, XElement Suite, string Output)> DriftAsync(params string[] extra)
    {
        var junit = Path.Combine(Dir, "drift-junit.xml");
        var (code, output, error) = await Ciupgrade(["drift", "--junit", junit, "--results-dir", Path.Combine(Dir, "drift-results"), .. extra]);
        Assert.True(code is 0 or 1, error);
        return (code, XDocument.Load(junit).Root!.Element("testsuite")!, output);
    }

    private static IEnumerable<string> Failed(XElement suite) =>
        suite.Elements("testcase").Where(t => t.Element("failure") is not null).Select(t => (string)t.Attribute("name")!);

    private void Reimport(string stream, string pullSpec)
    {
        Cluster.ControllerFaults.PinDigest(pullSpec, new string('d', 64));
        Cluster.Registry.Modify("imagestreams", Ns, stream, s =>
        {
            s["spec"]!["tags"]!.AsArray().Single(t => (string?)t!["name"] == "2.7")!["generation"] = 0;
            return s;
        });
    }

    [Fact]
    public async Task Clean_upgraded_namespace_has_no_drift()
    {
        await UpgradeAsync();

        var (code, suite, _) = await DriftAsync();

        Assert.Equal(0, code);
        Assert.Empty(Failed(suite));
        Assert.Contains(suite.Elements("testcase"), t => (string?)t.Attribute("name") == "tags amp-system");
        Assert.Contains(suite.Elements("testcase"), t => (string?)t.Attribute("name") == "rollout zync-que");
        Assert.Equal("0", await File.ReadAllTextAsync(Path.Combine(Dir, "drift-results", "drifted")));
    }

    [Fact]
    public async Task Retagged_image_stream_is_drift()
    {
        await UpgradeAsync();
        Cluster.Registry.Modify("imagestreams", Ns, "amp-backend", s =>
        {
            s["spec"]!["tags"]!.AsArray().Single(t => (string?)t!["name"] == "latest")!["from"]!["name"] = "2.6";
            return s;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var (code, suite, output) = await DriftAsync();

        Assert.Equal(1, code);
        Assert.Contains("tags amp-backend", Failed(suite));
        Assert.Contains("image stream amp-backend: tag latest: was ImageStreamTag 2.7, is ImageStreamTag 2.6", output, StringComparison.Ordinal);
        Assert.DoesNotContain("tags amp-system", Failed(suite));
    }

    [Fact]
    public async Task Dc_left_behind_after_a_reimport_is_drift()
    {
        await UpgradeAsync();
        Cluster.Registry.Modify("deploymentconfigs", Ns, "zync", dc =>
        {
            dc["spec"]!["triggers"]!.AsArray().Single(t => (string?)t!["type"] == "ImageChange")!["imageChangeParams"]!["automatic"] = false;
            return dc;
        });
        Reimport("amp-zync", "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");
        await Cluster.WaitForIdleAsync(Timeout);

        var (code, suite, _) = await DriftAsync();

        Assert.Equal(1, code);
        Assert.Contains("image zync", Failed(suite));
        Assert.DoesNotContain("image zync-que", Failed(suite));
        Assert.Contains("@sha256:" + new string('d', 64), suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "image zync").Element("failure")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changed_release_is_drift()
    {
        await UpgradeAsync();
        Cluster.Registry.Modify("deploymentconfigs", Ns, "system-app", dc =>
        {
            foreach (var c in dc["spec"]!["template"]!["spec"]!["containers"]!.AsArray())
            {
                c!["env"]!.AsArray().Single(e => (string?)e!["name"] == "AMP_RELEASE")!["value"] = "2.6";
            }

            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var (code, suite, output) = await DriftAsync();

        Assert.Equal(1, code);
        Assert.Equal(["release AMP_RELEASE"], Failed(suite));
        Assert.Contains("release AMP_RELEASE: AMP_RELEASE on system-app container system-master is 2.6, the plan's target is 2.7", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stuck_dc_is_drift_and_one_scaled_to_zero_is_skipped_as_such()
    {
        await UpgradeAsync();
        Cluster.Registry.Modify("deploymentconfigs", Ns, "apicast-staging", dc =>
        {
            dc["spec"]!["replicas"] = 0;
            return dc;
        });
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "zync", "CrashLoopBackOff");
        Cluster.Registry.Modify("deploymentconfigs", Ns, "zync", dc =>
        {
            dc["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Add(new JsonObject { ["name"] = "X", ["value"] = "1" });
            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var (code, suite, _) = await DriftAsync();

        Assert.Equal(1, code);
        Assert.Equal(["rollout zync"], Failed(suite));
        var staging = suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "rollout apicast-staging");
        Assert.StartsWith("DeploymentConfig apicast-staging is scaled to zero", (string?)staging.Element("skipped")?.Attribute("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Baseline_mismatch_is_drift_even_when_everything_else_is_consistent()
    {
        await UpgradeAsync();
        var baseline = Path.Combine(Dir, "baseline.json");
        var (verifyCode, _, _) = await Ciupgrade("verify", "--junit", Path.Combine(Dir, "v.xml"), "--write-baseline", baseline);
        Assert.Equal(0, verifyCode);
        Reimport("amp-apicast", "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7");
        await Cluster.WaitForIdleAsync(Timeout);

        var (plainCode, _, _) = await DriftAsync();
        var (code, suite, _) = await DriftAsync("--baseline", baseline);

        Assert.Equal(0, plainCode);
        Assert.Equal(1, code);
        Assert.Equal(["baseline apicast-production", "baseline apicast-staging"], Failed(suite).Order());
    }

    [Fact]
    public async Task All_namespaces_checks_every_install_with_one_list_per_kind()
    {
        Cluster.Seed("tenant-a", SeedOptions.Default);
        Cluster.Seed("tenant-b", SeedOptions.Parse("3scale-2.6,no-optional"));
        await UpgradeAsync();
        Cluster.ClearRequests();

        var junit = Path.Combine(Dir, "all.xml");
        var (code, output, error) = await Ciupgrade("drift", "--all-namespaces", "--junit", junit);

        Assert.True(code == 1, error);
        var suites = XDocument.Load(junit).Root!.Elements("testsuite").Select(s => (string?)s.Attribute("package")).ToList();
        Assert.Equal(["3scale", "tenant-a", "tenant-b"], suites);
        Assert.Contains("3 installs checked, 2 drifted", output, StringComparison.Ordinal);
        var lists = Cluster.Requests.Where(r => r.Method == "GET").Select(r => r.Path).ToList();
        Assert.Equal(1, lists.Count(p => p == "/apis/apps.openshift.io/v1/deploymentconfigs"));
        Assert.Equal(1, lists.Count(p => p == "/apis/image.openshift.io/v1/imagestreams"));
        Assert.Equal(1, lists.Count(p => p == "/api/v1/configmaps"));
        Assert.Equal(1, lists.Count(p => p == "/api/v1/replicationcontrollers"));
        Assert.Equal(4, Cluster.Requests.Count(r => !r.IsWatch)); // an earlier stage's watch may close late
        Assert.DoesNotContain(lists, p => p.Contains("/deploymentconfigs/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/v1/replicationcontrollers")]
    [InlineData("/apis/apps.openshift.io/v1/deploymentconfigs")]
    public async Task All_namespaces_rides_out_a_list_page_cut_half_way(string list)
    {
        // A page is read into its objects as it arrives (not buffered first): a connection lost half-way through it
        // is retried all the same, and the report is the one an uncut run gives.
        Cluster.Seed("tenant-a", SeedOptions.Default);
        await UpgradeAsync();
        var junit = Path.Combine(Dir, "all.xml");
        var (_, expected, _) = await Ciupgrade("drift", "--all-namespaces", "--junit", junit);
        Cluster.ClearRequests();
        Cluster.HttpFaults.ResetNext(1, ConnectionReset.MidAnswer, "GET", list);

        var (code, output, error) = await Ciupgrade("drift", "--all-namespaces", "--junit", junit);

        Assert.True(code == 1, error);
        Assert.Equal(2, Cluster.Requests.Count(r => r.Path == list)); // one page, sent again
        static IEnumerable<string> Report(string text) => text.Split('\n').Where(l => !l.Contains("installs checked", StringComparison.Ordinal));
        Assert.Equal(Report(expected), Report(output));
        Assert.Contains("2 installs checked, 1 drifted", output, StringComparison.Ordinal);
    }
}

/// <summary>The same scenarios against OpenShift 4.x (server-side dry run, watch bookmarks).</summary>
public sealed class DriftOn4xTests : DriftTests
{
    protected override ServerVersion ServerVersion => ServerVersion.OpenShift4;
}
