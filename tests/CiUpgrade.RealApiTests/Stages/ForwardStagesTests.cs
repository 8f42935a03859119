using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.RealApiTests.Support;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.RealApiTests.Stages;

/// <summary>
/// The forward stages whose traffic needs no OpenShift controller, each the built executable against the real server:
/// what each leaves in the cluster, that a rerun of each writes nothing, then verify and drift on the rolled-out
/// state the controller stand-in writes (the real server has no controllers to roll anything out).
/// </summary>
[Collection(StagesCollection.Name)]
public sealed class ForwardStagesTests(RealApiServer server) : SeededInstallTest(server, "forward")
{
    private static readonly string[] PlanStreams = ["amp-system", "amp-apicast", "amp-backend", "amp-zync", "system-memcached", "zync-database-postgresql", "backend-redis", "system-redis", "system-mysql"];

    [Fact]
    public async Task The_forward_stages_leave_the_planned_state_reruns_write_nothing_and_verify_passes_once_rolled_out()
    {
        var (proxy, kubeconfig) = await ProxyAsync();
        var backupDir = Path.Combine(Dir, "backup");

        var preflight = await RunAsAsync(kubeconfig, "preflight");
        Assert.True(preflight.Code == 0, preflight.ToString());

        var backup = await RunAsAsync(kubeconfig, "backup", "--backup-dir", backupDir);
        Assert.True(backup.Code == 0, backup.ToString());
        var saved = Path.Combine(backupDir, Ns, File.ReadAllText(Path.Combine(backupDir, Ns, "latest")).Trim());
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "manifest.json")))!.AsObject();
        Assert.True(manifest["preUpgrade"]!.GetValue<bool>(), manifest.ToJsonString());
        Assert.Equal("2.6", (string?)manifest["release"]);

        var hook = await RunAsAsync(kubeconfig, "update-prehook");
        Assert.True(hook.Code == 0, hook.ToString());
        Assert.Contains("services:create_backend_apis", string.Join(' ', await HookCommandAsync()), StringComparison.Ordinal);
        // The DC controller observes the new generation (a strategy change starts no rollout); set-release checks it did.
        await ControllerStandIn.RollOutAsync(Api, Ns, "system-app");
        Assert.Equal(1, (await DeploymentConfigAsync("system-app"))["status"].Long("latestVersion"));

        var streams = await RunAsAsync(kubeconfig, "patch-imagestreams", "--no-wait");
        Assert.True(streams.Code == 0, streams.ToString());
        foreach (var name in PlanStreams)
        {
            var stream = await StreamAsync(name);
            var tags = stream["spec"]!["tags"].Objects().ToDictionary(t => t.Str("name")!, StringComparer.Ordinal);
            Assert.True(tags.TryGetValue("2.7", out var target), $"{name} has no tag 2.7: {stream["spec"]}");
            Assert.Equal("DockerImage", target!["from"].Str("kind"));
            Assert.Equal("ImageStreamTag", tags["latest"]["from"].Str("kind"));
            Assert.Equal("2.7", tags["latest"]["from"].Str("name"));
            Assert.Single(stream["spec"]!["tags"].Objects(), t => t.Str("name") == "2.7");
        }

        var release = await RunAsAsync(kubeconfig, "set-release", "--no-wait");
        Assert.True(release.Code == 0, release.ToString());
        var env = (await DeploymentConfigAsync("system-app"))["spec"]!["template"]!["spec"]!["containers"].Objects()
            .SelectMany(c => c["env"].Objects()).Where(e => e.Str("name") == "AMP_RELEASE").ToList();
        Assert.NotEmpty(env);
        Assert.All(env, e => Assert.Equal("2.7", e.Str("value")));
        Assert.Null(await ConfigMapAsync("ciupgrade-lock"));

        // Every mutating stage again: nothing left to do, nothing written (the lock is not even taken).
        proxy.Clear();
        foreach (var stage in new[] { new[] { "update-prehook" }, ["patch-imagestreams", "--no-wait"], ["set-release", "--no-wait"] })
        {
            var rerun = await RunAsAsync(kubeconfig, stage);
            Assert.True(rerun.Code == 0, $"{stage[0]} rerun: {rerun}");
        }

        Assert.Empty(proxy.Writes);

        // Not rolled out yet: the gate stays closed.
        var early = await RunAsync("verify", "--junit", Path.Combine(Dir, "early.xml"));
        Assert.True(early.Code == 1, early.ToString());

        await ControllerStandIn.ImportAsync(Api, Ns);
        await ControllerStandIn.RollOutAsync(Api, Ns);

        var verify = await RunAsync("verify", "--junit", Path.Combine(Dir, "verify.xml"));
        Assert.True(verify.Code == 0, verify.ToString());
        var suite = XDocument.Load(Path.Combine(Dir, "verify.xml")).Root!.Element("testsuite")!;
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Contains(suite.Elements("testcase"), t => t.Attribute("name")!.Value == "system-app");

        var drift = await RunAsync("drift", "--junit", Path.Combine(Dir, "drift.xml"));
        Assert.True(drift.Code == 0, drift.ToString());
        Assert.Equal("0", XDocument.Load(Path.Combine(Dir, "drift.xml")).Root!.Element("testsuite")!.Attribute("failures")!.Value);
    }
}
