using CiUpgrade.Simulator.Api;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// Dropped connections are retried like a 503: a proxy resetting connections at random (while requests arrive and
/// half-way through answers, after the server applied a write) does not stop the chain, and nothing is applied twice.
/// </summary>
public sealed class ConnectionResetTests : UpgradeTest
{
    [Fact]
    public async Task Chain_passes_while_connections_are_reset_at_random()
    {
        Cluster.HttpFaults.ResetRate(0.15);

        await UpgradeAsync(databases: true);
        var rollback = await Ciupgrade("rollback", "--backup-dir", Path.Combine(Dir, "backup"), "--restore-data");
        Assert.True(rollback.Code == 0, rollback.Err);
        await UpgradeAsync();
        await VerifyAsync(0);

        Assert.Contains(Cluster.Requests, r => r.StatusCode == 0);
        var streams = Cluster.Registry.List("imagestreams", Ns).Items;
        Assert.All(streams, s => Assert.Equal(s["spec"]!["tags"]!.AsArray().Count, s["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]).Distinct().Count()));
    }

    [Fact]
    public async Task A_patch_applied_but_whose_answer_was_cut_is_not_applied_again()
    {
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        Cluster.HttpFaults.ResetNext(3, ConnectionReset.MidAnswer, "PATCH");

        var (code, _, error) = await Ciupgrade("patch-imagestreams");

        Assert.True(code == 0, error);
        Assert.Equal(3, Cluster.Requests.Count(r => r is { Method: "PATCH", StatusCode: 200 } && r.Path.EndsWith("/amp-backend", StringComparison.Ordinal)) + 2);
        Assert.Equal(2, LatestVersion("backend-listener"));
    }

    [Fact]
    public async Task Persistent_503_exits_3_after_the_retries_naming_the_request()
    {
        Cluster.HttpFaults.FailNext(50, 503, "GET", "/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs");

        var (code, _, error) = await Ciupgrade("preflight");

        Assert.Equal(3, code);
        Assert.Contains("could not serve list deploymentconfigs: 503 ServiceUnavailable", error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflicts_after_the_last_attempt_exit_4_naming_the_object()
    {
        Cluster.HttpFaults.ConflictNext(50, "/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/system-app");

        var (code, _, error) = await Ciupgrade("set-release");

        Assert.Equal(4, code);
        Assert.Contains("system-app: still changing under us after 5 attempts", error, StringComparison.Ordinal);
    }
}
