using CiUpgrade.RealApiTests.Support;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.RealApiTests.Stages;

/// <summary>Rollback on the real server after a half upgrade: the hook command back first (its guard spelled as the server stores it), then the streams.</summary>
[Collection(StagesCollection.Name)]
public sealed class RollbackTests(RealApiServer server) : SeededInstallTest(server, "rollback")
{
    [Fact]
    public async Task Rollback_no_wait_after_update_prehook_restores_the_hook_and_the_streams()
    {
        var backupDir = Path.Combine(Dir, "backup");
        var original = await HookCommandAsync();
        var backup = await RunAsync("backup", "--backup-dir", backupDir);
        Assert.True(backup.Code == 0, backup.ToString());
        var hook = await RunAsync("update-prehook");
        Assert.True(hook.Code == 0, hook.ToString());
        await ControllerStandIn.RollOutAsync(Api, Ns, "system-app"); // the DC controller observes the strategy change
        var streams = await RunAsync("patch-imagestreams", "--no-wait");
        Assert.True(streams.Code == 0, streams.ToString());
        Assert.NotEqual(original, await HookCommandAsync());

        var (proxy, kubeconfig) = await ProxyAsync();
        var rollback = await RunAsAsync(kubeconfig, "rollback", "--backup-dir", backupDir, "--no-wait");

        Assert.True(rollback.Code == 0, rollback.ToString());
        // Issue 22 saw the "restoring" line printed twice.
        Assert.Single(rollback.Out.Split('\n'), l => l.Contains("restoring ", StringComparison.Ordinal));
        Assert.Equal(original, await HookCommandAsync());
        var system = await StreamAsync("amp-system");
        Assert.DoesNotContain(system["spec"]!["tags"].Objects(), t => t.Str("name") == "2.7");
        Assert.Equal("2.6", system["spec"]!["tags"].Objects().Single(t => t.Str("name") == "latest")["from"].Str("name"));
        Assert.DoesNotContain(proxy.Requests, r => r.Method == "PATCH" && r.IsDryRun);

        proxy.Clear();
        var rerun = await RunAsAsync(kubeconfig, "rollback", "--backup-dir", backupDir, "--no-wait");
        Assert.True(rerun.Code == 0, rerun.ToString());
        Assert.Empty(proxy.Writes);
    }
}
