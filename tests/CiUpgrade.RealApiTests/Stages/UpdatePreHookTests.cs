using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Stages;

/// <summary>
/// Guide step 2.2 on the real server, whose JSON patch `test` compares the stored bytes: the hook command holds quotes
/// around the token, so the patch must spell them as the server does (`\"`) for its guard to pass.
/// </summary>
[Collection(StagesCollection.Name)]
public sealed class UpdatePreHookTests(RealApiServer server) : SeededInstallTest(server, "prehook")
{
    private const string TargetTail = " && bundle exec rake services:create_backend_apis services:update_metric_owners proxy:update_proxy_rule_owners";

    [Fact]
    public async Task Update_prehook_sets_the_27_command_with_one_guarded_patch_and_a_rerun_sends_nothing()
    {
        var token = await MasterAccessTokenAsync();
        var (proxy, kubeconfig) = await ProxyAsync();

        var run = await RunAsAsync(kubeconfig, "update-prehook");

        Assert.True(run.Code == 0, run.ToString());
        Assert.Equal(["bash", "-c", $"bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"{token}\"{TargetTail}"], await HookCommandAsync());
        var patch = Assert.Single(proxy.InstallWrites);
        Assert.Equal($"PATCH /apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/system-app", patch.ToString().Split('?')[0]);
        Assert.Contains("\"op\":\"test\",\"path\":\"/spec/strategy/rollingParams/pre/execNewPod/command\"", patch.Body, StringComparison.Ordinal);
        Assert.Contains("MASTER_ACCESS_TOKEN=\\\"", patch.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(token, run.Out + run.Err, StringComparison.Ordinal);

        proxy.Clear();
        var rerun = await RunAsAsync(kubeconfig, "update-prehook");

        Assert.True(rerun.Code == 0, rerun.ToString());
        Assert.Contains("pre hook command already the 2.7 one", rerun.Out, StringComparison.Ordinal);
        Assert.Empty(proxy.Writes);
    }

    [Fact]
    public async Task Update_prehook_dry_run_is_validated_by_the_server_and_changes_nothing()
    {
        var before = await DeploymentConfigAsync("system-app");
        var (proxy, kubeconfig) = await ProxyAsync();

        var run = await RunAsAsync(kubeconfig, "update-prehook", "--dry-run");

        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("system-app: would send JSON patch", run.Out, StringComparison.Ordinal);
        Assert.Equal(before["metadata"]!["resourceVersion"]!.ToString(), (await DeploymentConfigAsync("system-app"))["metadata"]!["resourceVersion"]!.ToString());
        Assert.Empty(proxy.Writes);
        Assert.Single(proxy.Requests, r => r.Method == "PATCH" && r.IsDryRun);
    }
}
