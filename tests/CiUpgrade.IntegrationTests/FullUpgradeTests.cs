using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

public class FullUpgradeTests : UpgradeTest
{
    [Fact]
    public async Task Full_chain_upgrades_a_26_install_and_every_verify_testcase_passes()
    {
        await UpgradeAsync();

        var suite = await VerifyAsync(0);

        Assert.Equal(("18", "0", "1"), ((string?)suite.Attribute("tests"), (string?)suite.Attribute("failures"), (string?)suite.Attribute("skipped")));
        Assert.Equal("Succeeded", await File.ReadAllTextAsync(Path.Combine(Dir, "results", "status")));
        Assert.Equal("17", await File.ReadAllTextAsync(Path.Combine(Dir, "results", "passed")));
        Assert.Contains(suite.Elements("testcase"), t => (string?)t.Attribute("name") == "release AMP_RELEASE" && t.Element("failure") is null);
        var env = Get("deploymentconfigs", "system-app")["spec"]!["template"]!["spec"]!["containers"]!.AsArray()
            .Select(c => c!["env"]!.AsArray().Single(e => (string?)e!["name"] == "AMP_RELEASE")!.ToJsonString());
        Assert.All(env, e => Assert.Equal("""{"name":"AMP_RELEASE","value":"2.7"}""", e));
        Assert.True(File.Exists(Path.Combine(LatestBackup(Path.Combine(Dir, "backup")), "manifest.json")));
    }

    [Fact]
    public async Task Cluster_matches_the_runbook_replayed_with_kubectl_on_a_second_namespace()
    {
        Cluster.Seed("replay", SeedOptions.Default);
        var replay = Cluster.WriteKubeconfig(Path.Combine(Dir, "replay.kubeconfig"), ns: "replay");
        var plan = Plans.PlanLoader.LoadEmbedded();
        await UpgradeAsync();

        foreach (var step in plan.ImageStreams.Where(s => s.Name != "system-postgresql"))
        {
            // The runbook's two commands per stream, verbatim but for kubectl in place of oc.
            var first = """[{"op": "add", "path": "/spec/tags/-", "value": {"annotations": {"openshift.io/display-name": "DISPLAY"}, "from": { "kind": "DockerImage", "name": "IMAGE"}, "name": "2.7", "referencePolicy": {"type": "Source"}}}]"""
                .Replace("DISPLAY", step.DisplayName, StringComparison.Ordinal).Replace("IMAGE", step.Image, StringComparison.Ordinal);
            var second = """[{"op": "add", "path": "/spec/tags/-", "value": {"annotations": {"openshift.io/display-name": "DISPLAY"}, "from": { "kind": "ImageStreamTag", "name": "2.7"}, "name": "latest", "referencePolicy": {"type": "Source"}}}]"""
                .Replace("DISPLAY", step.LatestDisplayName, StringComparison.Ordinal);
            foreach (var patch in new[] { first, second })
            {
                var (code, _, error) = await Shell(replay, $"kubectl patch imagestream/{step.Name} --type=json -p '{patch}'");
                Assert.True(code == 0, error);
            }

            await Cluster.WaitForIdleAsync(Timeout);
        }

        // `oc set env dc/system-app AMP_RELEASE=2.7`, replayed as the JSON patch it amounts to (kubectl knows no DeploymentConfig kind).
        var app = Get("deploymentconfigs", "system-app", "replay");
        var ops = new JsonArray();
        var containers = app["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        for (var i = 0; i < containers.Count; i++)
        {
            var j = containers[i]!["env"]!.AsArray().Select((e, k) => (e, k)).Single(x => (string?)x.e!["name"] == "AMP_RELEASE").k;
            ops.Add(new JsonObject { ["op"] = "replace", ["path"] = $"/spec/template/spec/containers/{i}/env/{j}", ["value"] = new JsonObject { ["name"] = "AMP_RELEASE", ["value"] = "2.7" } });
        }

        var (setCode, _, setError) = await Shell(replay, $"kubectl patch dc/system-app --type=json -p '{ops.ToJsonString()}'");
        Assert.True(setCode == 0, setError);
        await Cluster.WaitForIdleAsync(Timeout);

        foreach (var stream in Cluster.Registry.List("imagestreams", Ns).Items.Select(s => s.Name()))
        {
            Assert.Equal(Tags("imagestreams", stream, "replay"), Tags("imagestreams", stream, Ns));
        }

        foreach (var dc in Cluster.Registry.List("deploymentconfigs", Ns).Items.Select(d => d.Name()))
        {
            Assert.Equal(Images(dc, "replay"), Images(dc, Ns));
            Assert.Equal(Env(dc, "replay"), Env(dc, Ns));
        }
    }

    [Fact]
    public async Task Rerunning_every_stage_after_the_upgrade_sends_no_patch_and_starts_no_rollout()
    {
        await UpgradeAsync();
        await Cluster.WaitForIdleAsync(Timeout);
        var versions = Cluster.Registry.List("deploymentconfigs", Ns).Items.ToDictionary(d => d.Name(), d => d["status"]!["latestVersion"]!.ToJsonString());
        Cluster.ClearRequests();

        await UpgradeAsync();
        await VerifyAsync(0);
        var (code, output, _) = await Ciupgrade("wait-rollouts");
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(0, code);
        // Not even the namespace lock: a stage with nothing to change never takes it.
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" or "POST" or "DELETE"
            && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal));
        Assert.Equal(versions, Cluster.Registry.List("deploymentconfigs", Ns).Items.ToDictionary(d => d.Name(), d => d["status"]!["latestVersion"]!.ToJsonString()));
        Assert.Contains("all 15 DeploymentConfigs are rolled out", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preflight_reports_already_upgraded_and_exits_0_after_the_upgrade()
    {
        await UpgradeAsync();

        var (code, output, _) = await Ciupgrade("preflight", "--results-dir", Path.Combine(Dir, "pre"));

        Assert.Equal(0, code);
        Assert.Contains("already upgraded", output, StringComparison.Ordinal);
        Assert.Equal("true", await File.ReadAllTextAsync(Path.Combine(Dir, "pre", "already-upgraded")));
    }

    [Fact]
    public async Task Verify_sends_one_list_for_all_deployment_configs()
    {
        await UpgradeAsync();
        Cluster.ClearRequests();

        await VerifyAsync(0);

        Assert.Single(Cluster.Requests, r => r.Method == "GET" && !r.IsWatch && r.Path == "/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs");
        Assert.DoesNotContain(Cluster.Requests, r => r.Path.StartsWith("/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dry_run_patches_nothing_but_prints_the_exact_patches()
    {
        var before = Cluster.Registry.Store.CurrentResourceVersion;

        var (code, output, _) = await Ciupgrade("patch-imagestreams", "--dry-run");
        var (setCode, setOutput, _) = await Ciupgrade("set-release", "--dry-run");
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal((0, 0), (code, setCode));
        Assert.Equal(before, Cluster.Registry.Store.CurrentResourceVersion);
        Assert.Contains("amp-system: would send JSON patch [{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\"", output, StringComparison.Ordinal);
        Assert.Contains("system-app: would send JSON patch", setOutput, StringComparison.Ordinal);
        if (ServerVersion.HonoursDryRun)
        {
            // 4.x: the server validates every patch and stores nothing.
            Assert.Contains(Cluster.Requests, r => r.Method == "PATCH");
            Assert.All(Cluster.Requests.Where(r => r.Method == "PATCH"), r => Assert.Contains("dryRun=All", r.Query, StringComparison.Ordinal));
        }
        else
        {
            // 3.11 would apply them: nothing is sent, and the output says why.
            Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
            Assert.Contains("cannot validate these patches (server-side dry run needs Kubernetes 1.13)", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task No_wait_patch_then_wait_rollouts_for_named_dcs()
    {
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var (code, _, _) = await Ciupgrade("patch-imagestreams", "--no-wait");
        // wait-rollouts waits for what the tags resolve to when it starts: let the 2.7 imports land first.
        await WaitUntilAsync(() => new[] { "amp-system", "amp-zync" }.All(s => Get("imagestreams", s)["status"]?["tags"]?.AsArray()
            .FirstOrDefault(t => (string?)t!["tag"] == "latest")?["items"]?[0]?["dockerImageReference"]?.ToString().Contains("/3scale-amp2/", StringComparison.Ordinal) == true));
        var (waitCode, output, error) = await Ciupgrade("wait-rollouts", "--dc", "system-app,zync");

        Assert.Equal(0, code);
        Assert.True(waitCode == 0, error);
        Assert.Contains("system-app: version 2 rolled out", output, StringComparison.Ordinal);
        Assert.Contains("zync: version 2 rolled out", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_prints_one_json_object_per_line()
    {
        var (code, output, _) = await Ciupgrade("preflight", "--output", "json");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Equal("preflight", (string?)JsonNode.Parse(l)!["stage"]));
    }

    private string Tags(string resource, string name, string ns) =>
        string.Join(";", Get(resource, name, ns)["spec"]!["tags"]!.AsArray().Select(t =>
            $"{t!["name"]}|{t["from"]!.ToJsonString()}|{t["annotations"]?.ToJsonString()}|{t["referencePolicy"]!.ToJsonString()}"));

    private string Images(string dc, string ns) =>
        string.Join(";", ((JsonObject)Get("deploymentconfigs", dc, ns)["spec"]!["template"]!["spec"]!) is var spec
            ? (spec["initContainers"]?.AsArray() ?? []).Concat(spec["containers"]!.AsArray()).Select(c => $"{c!["name"]}={c["image"]}")
            : []);

    private string Env(string dc, string ns) =>
        string.Join(";", Get("deploymentconfigs", dc, ns)["spec"]!["template"]!["spec"]!["containers"]!.AsArray()
            .Select(c => c!["env"]?.ToJsonString() ?? string.Empty));
}

/// <summary>The same scenarios against OpenShift 4.x (server-side dry run, watch bookmarks).</summary>
public sealed class FullUpgradeOn4xTests : FullUpgradeTests
{
    protected override ServerVersion ServerVersion => ServerVersion.OpenShift4;
}
