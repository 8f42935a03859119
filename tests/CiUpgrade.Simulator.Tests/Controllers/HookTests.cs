using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Controllers;

/// <summary>system-app's pre hook (execNewPod, failurePolicy Retry in the 2.6 template) run by the simulated deployer.</summary>
public sealed class HookTests : ClusterTest
{
    private const string Command27 = "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"x\" && bundle exec rake services:create_backend_apis services:update_metric_owners proxy:update_proxy_rule_owners";
    private const string HookPath = "/spec/strategy/rollingParams/pre/execNewPod/command";

    private JsonObject Dc(string name) => Cluster.Registry.Get("deploymentconfigs", Ns, name)!;

    private long Version(string dc) => (long)Dc(dc)["status"]!["latestVersion"]!;

    private async Task PatchHookAsync(string script)
    {
        using var api = Api();
        var patch = new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = HookPath, ["value"] = new JsonArray("bash", "-c", script) });
        var (code, _, _) = await api.SendAsync(HttpMethod.Patch, $"/apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/system-app", patch.ToJsonString(), "application/json-patch+json");
        Assert.Equal(HttpStatusCode.OK, code);
    }

    private async Task RolloutAsync()
    {
        await Cluster.WaitForIdleAsync(Timeout);
        using var api = Api();
        var (code, body, _) = await api.SendAsync(HttpMethod.Post, $"/apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/system-app/instantiate",
            """{"kind":"DeploymentRequest","apiVersion":"apps.openshift.io/v1","name":"system-app","latest":true,"force":true}""");
        Assert.True(code == HttpStatusCode.Created, body?.ToJsonString());
        await Cluster.WaitForIdleAsync(Timeout);
    }

    [Fact]
    public async Task Changing_the_hook_command_changes_the_strategy_only_and_starts_no_rollout()
    {
        // openshift-controller-manager deploymentconfig_controller.go triggerActivated: a ConfigChange trigger fires only
        // when appsutil.HasLatestPodTemplate finds spec.template differing from the latest RC's; the strategy is not compared.
        var generation = (long)Dc("system-app")["metadata"]!["generation"]!;

        await PatchHookAsync(Command27);
        await Cluster.WaitForIdleAsync(Timeout);

        var dc = Dc("system-app");
        Assert.Equal(1, Version("system-app"));
        Assert.Equal(generation + 1, (long)dc["metadata"]!["generation"]!);
        Assert.Equal(generation + 1, (long)dc["status"]!["observedGeneration"]!);
        Assert.Empty(Cluster.HookRuns);
    }

    [Fact]
    public async Task A_rollout_runs_the_hook_pod_on_the_template_image_before_the_new_rc_scales_up()
    {
        await PatchHookAsync("bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"x\"");

        await RolloutAsync();

        var run = Assert.Single(Cluster.HookRuns);
        var master = Dc("system-app")["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => (string?)c!["name"] == "system-master")!;
        Assert.Equal(("system-app", "system-app-2", "system-app-2-hook-pre", 0), (run.DeploymentConfig, run.ReplicationController, run.Pod, run.ExitCode));
        Assert.Equal((string?)master["image"], run.Image);
        Assert.Equal(["bash", "-c", "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"x\""], run.Command);
        var pod = Cluster.Registry.Get("pods", Ns, "system-app-2-hook-pre")!;
        Assert.Equal(("hook-pre", "system-app-2", "system-app-2"), (pod.Label("openshift.io/deployer-pod.type"), pod.Label("openshift.io/deployer-pod-for.name"), pod.Annotation("openshift.io/deployment.name")));
        Assert.Equal("Succeeded", (string?)pod["status"]!["phase"]);
        Assert.Equal("OnFailure", (string?)pod["spec"]!["restartPolicy"]);
        var container = pod["spec"]!["containers"]![0]!;
        Assert.Equal("lifecycle", (string?)container["name"]);
        var env = container["env"]!.AsArray().Select(e => (string?)e!["name"]).ToList();
        Assert.Contains("DATABASE_URL", env);
        Assert.Contains("OPENSHIFT_DEPLOYMENT_NAME", env);
        Assert.Equal(["system-storage"], pod["spec"]!["volumes"]!.AsArray().Select(v => (string?)v!["name"]));
        Assert.Equal("Complete", Cluster.Registry.Get("replicationcontrollers", Ns, "system-app-2")!.Annotation("openshift.io/deployment.phase"));

        using var api = Api();
        var (code, log, type) = await api.GetTextAsync($"/api/v1/namespaces/{Ns}/pods/system-app-2-hook-pre/log?tailLines=10&limitBytes=4096");
        Assert.Equal((HttpStatusCode.OK, "text/plain"), (code, type));
        Assert.Equal("rake boot: done\nrake openshift:deploy: done\n", log);
        Assert.Equal("rake boot", (await api.GetTextAsync($"/api/v1/namespaces/{Ns}/pods/system-app-2-hook-pre/log?limitBytes=9")).Text);
    }

    [Fact]
    public async Task The_27_tasks_fail_on_the_26_image_and_retry_until_the_rollout_fails()
    {
        await PatchHookAsync(Command27);

        await RolloutAsync();

        Assert.True(Cluster.HookRuns.Count >= 2, "under failurePolicy Retry the container is restarted");
        Assert.All(Cluster.HookRuns, r => Assert.Equal(1, r.ExitCode));
        var pod = Cluster.Registry.Get("pods", Ns, "system-app-2-hook-pre")!;
        Assert.Equal(("Failed", "DeadlineExceeded"), ((string?)pod["status"]!["phase"], (string?)pod["status"]!["reason"]));
        Assert.True(pod["status"]!["containerStatuses"]![0].Long("restartCount") >= 1);
        Assert.Equal("Failed", Cluster.Registry.Get("replicationcontrollers", Ns, "system-app-2")!.Annotation("openshift.io/deployment.phase"));
        Assert.Equal(0, Cluster.Registry.Get("replicationcontrollers", Ns, "system-app-2")!["spec"].Long("replicas"));

        using var api = Api();
        var (_, log, _) = await api.GetTextAsync($"/api/v1/namespaces/{Ns}/pods/system-app-2-hook-pre/log?tailLines=1");
        Assert.Equal("Don't know how to build task 'services:create_backend_apis' (See the list of available tasks with `rake --tasks`)\n", log);
    }

    [Theory]
    [InlineData("Abort", "Failed", "Failed")]
    [InlineData("Ignore", "Complete", "Failed")]
    public async Task A_failing_hook_under_abort_fails_the_rollout_and_under_ignore_lets_it_go_on(string policy, string rcPhase, string podPhase)
    {
        using var api = Api();
        var patch = $$"""[{"op":"replace","path":"/spec/strategy/rollingParams/pre/failurePolicy","value":"{{policy}}"}]""";
        await api.SendAsync(HttpMethod.Patch, $"/apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/system-app", patch, "application/json-patch+json");
        Cluster.ControllerFaults.FailHook(Ns, "system-app", 3, ["boom"]);

        await RolloutAsync();

        var run = Assert.Single(Cluster.HookRuns);
        Assert.Equal(3, run.ExitCode);
        var pod = Cluster.Registry.Get("pods", Ns, "system-app-2-hook-pre")!;
        Assert.Equal(podPhase, (string?)pod["status"]!["phase"]);
        Assert.Equal("Never", (string?)pod["spec"]!["restartPolicy"]);
        Assert.Equal(3, (int)pod["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["exitCode"]!);
        Assert.Equal(rcPhase, Cluster.Registry.Get("replicationcontrollers", Ns, "system-app-2")!.Annotation("openshift.io/deployment.phase"));
    }

    [Fact]
    public async Task Pod_log_of_an_unknown_container_is_a_bad_request()
    {
        await RolloutAsync();
        using var api = Api();

        var (code, body, _) = await api.GetAsync($"/api/v1/namespaces/{Ns}/pods/system-app-2-hook-pre/log?container=nope");

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("container nope is not valid for pod system-app-2-hook-pre", (string?)body!["message"]);
    }
}
