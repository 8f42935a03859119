using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Access;

/// <summary>
/// What the real server's RBAC and 404s make of the stages: the read-only context (realk8s-viewer may only read image
/// streams, DeploymentConfigs and namespaces) and objects or namespaces that are not there.
/// </summary>
[Collection(LockingCollection.Name)]
public sealed class AccessTests(RealApiServer server) : SeededInstallTest(server, "access")
{
    [Fact]
    public async Task Preflight_with_the_read_only_context_exits_3_naming_the_missing_permissions()
    {
        var run = await RunAsync("preflight", "--context", "realk8s-viewer");

        Assert.True(run.Code == 3, run.ToString());
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.True(run.Err.Contains($"missing permissions in namespace {Ns}: patch imagestreams.image.openshift.io, patch deploymentconfigs.apps.openshift.io, list replicationcontrollers", StringComparison.Ordinal), run.ToString());
    }

    [Fact]
    public async Task A_mutating_stage_with_the_read_only_context_exits_3_naming_the_denied_request_and_changes_nothing()
    {
        var before = (await StreamAsync("amp-system"))["metadata"]!["resourceVersion"]!.ToString();

        var run = await RunAsync("patch-imagestreams", "--no-wait", "--context", "realk8s-viewer");

        Assert.True(run.Code == 3, run.ToString());
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.Contains("permission denied:", run.Err, StringComparison.Ordinal);
        Assert.Contains("is forbidden: User \"realk8s-viewer\" cannot", run.Err, StringComparison.Ordinal);
        Assert.Equal(before, (await StreamAsync("amp-system"))["metadata"]!["resourceVersion"]!.ToString());
        Assert.Null(await ConfigMapAsync("ciupgrade-lock"));
    }

    [Fact]
    public async Task A_namespace_that_does_not_exist_is_exit_4_naming_it()
    {
        var run = await Ciupgrade.RunAsync(Server.Kubeconfig, ["preflight", "-n", "no-such-namespace"]);

        Assert.True(run.Code == 4, run.ToString());
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.Contains("no-such-namespace", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deployment_config_the_stage_needs_is_exit_4_naming_it()
    {
        var deleted = await Api.DeleteAsync($"apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/system-app");
        Assert.Equal(System.Net.HttpStatusCode.OK, deleted.Code);

        var run = await RunAsync("set-release", "--no-wait");

        Assert.True(run.Code == 4, run.ToString());
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.Contains("system-app", run.Err, StringComparison.Ordinal);
        Assert.Null(await ConfigMapAsync("ciupgrade-lock"));
    }
}
