using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Robustness;

public sealed class ControllerRecoveryTests : ClusterTest
{
    [Fact]
    public async Task A_controller_that_throws_is_restarted_and_the_rollout_still_happens()
    {
        Cluster.ApplyFault("crash-controller=imagetrigger:3");

        Cluster.Registry.Modify("imagestreams", Ns, "amp-zync", s =>
        {
            s["spec"]!["tags"]!.AsArray().Add(new JsonObject { ["name"] = "2.7", ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7" } });
            s["spec"]!["tags"]!.AsArray().Add(new JsonObject { ["name"] = "latest", ["from"] = new JsonObject { ["kind"] = "ImageStreamTag", ["name"] = "2.7" } });
            return s;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(3, Cluster.ControllerRestarts);
        Assert.Null(Cluster.ControllerFailure);
        Assert.Equal("Complete", Cluster.Registry.Get("replicationcontrollers", Ns, "zync-2")!.Annotation("openshift.io/deployment.phase"));
    }

    [Fact]
    public async Task An_api_server_restart_ends_the_clients_watches_but_not_the_controllers()
    {
        // The controllers are openshift-controller-manager, another process: an API server restart ends the clients'
        // watches (and the state-dir saver's view is in-process too), not the simulated controllers' own feed.
        Cluster.RestartWatchCache();

        AddZync27();
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Null(Cluster.ControllerFailure);
        Assert.Equal("Complete", Cluster.Registry.Get("replicationcontrollers", Ns, "zync-2")?.Annotation("openshift.io/deployment.phase"));
    }

    private void AddZync27() =>
        Cluster.Registry.Modify("imagestreams", Ns, "amp-zync", s =>
        {
            s["spec"]!["tags"]!.AsArray().Add(new JsonObject { ["name"] = "2.7", ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7" } });
            s["spec"]!["tags"]!.AsArray().Add(new JsonObject { ["name"] = "latest", ["from"] = new JsonObject { ["kind"] = "ImageStreamTag", ["name"] = "2.7" } });
            return s;
        });

    [Fact]
    public async Task A_dead_controller_loop_fails_every_request_with_500_saying_so_and_the_control_endpoint_still_answers()
    {
        using var api = Api();

        Cluster.ApplyFault("kill-controllers");
        await Cluster.ControllersStopped.WaitAsync(Timeout);

        var (code, status, _) = await api.GetAsync("/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs");
        Assert.Equal(HttpStatusCode.InternalServerError, code);
        Assert.Equal(("InternalError", 500), ((string?)status!["reason"], (int)status["code"]!));
        Assert.Contains("the simulated controller manager has stopped", (string?)status["message"], StringComparison.Ordinal);
        Assert.Contains("restart the simulator", (string?)status["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, (await api.GetAsync("/version")).Code);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Cluster.WaitForIdleAsync(Timeout));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/simulator/faults")).Code);
    }
}
