using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Controllers;

/// <summary>The controller rules, driven through the registry (no HTTP) and observed once the cluster is idle.</summary>
public sealed class ControllerTests : ClusterTest
{
    private JsonObject Dc(string name) => Cluster.Registry.Get("deploymentconfigs", Ns, name)!;

    private JsonObject Stream(string name) => Cluster.Registry.Get("imagestreams", Ns, name)!;

    private void AddTags(string stream, string image)
    {
        Cluster.Registry.Modify("imagestreams", Ns, stream, s =>
        {
            var tags = s["spec"]!["tags"]!.AsArray();
            tags.Add(new JsonObject { ["name"] = "2.7", ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = image } });
            tags.Add(new JsonObject { ["name"] = "latest", ["from"] = new JsonObject { ["kind"] = "ImageStreamTag", ["name"] = "2.7" } });
            return s;
        });
    }

    [Fact]
    public async Task Import_resolves_a_docker_image_tag_to_a_digest_and_latest_follows_it()
    {
        AddTags("amp-zync", "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");
        await Cluster.WaitForIdleAsync(Timeout);

        var status = Stream("amp-zync")["status"]!["tags"]!.AsArray();
        var tag27 = status.Single(t => (string?)t!["tag"] == "2.7")!["items"]![0]!;
        var latest = status.Single(t => (string?)t!["tag"] == "latest")!["items"]![0]!;
        Assert.Matches("^registry.redhat.io/3scale-amp2/zync-rhel7@sha256:[0-9a-f]{64}$", (string?)tag27["dockerImageReference"]);
        Assert.Equal("sha256:" + ((string)tag27["dockerImageReference"]!).Split("@sha256:")[1], (string?)tag27["image"]);
        Assert.Equal((string?)tag27["dockerImageReference"], (string?)latest["dockerImageReference"]);
    }

    [Fact]
    public async Task Image_change_trigger_rolls_out_the_following_dcs_with_new_images_in_every_named_container()
    {
        AddTags("amp-zync", "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");
        await Cluster.WaitForIdleAsync(Timeout);

        var zync = Dc("zync");
        var expected = (string?)Stream("amp-zync")["status"]!["tags"]!.AsArray().Single(t => (string?)t!["tag"] == "latest")!["items"]![0]!["dockerImageReference"];
        Assert.Equal(2, (long)zync["status"]!["latestVersion"]!);
        Assert.Equal(expected, (string?)zync["spec"]!["template"]!["spec"]!["initContainers"]![0]!["image"]);
        Assert.Equal(expected, (string?)zync["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(expected, (string?)zync["spec"]!["triggers"]!.AsArray().Single(t => (string?)t!["type"] == "ImageChange")!["imageChangeParams"]!["lastTriggeredImage"]);
        var cause = zync["status"]!["details"]!["causes"]![0]!;
        Assert.Equal("ImageChange", (string?)cause["type"]);
        Assert.Equal(expected, (string?)cause["imageTrigger"]!["from"]!["name"]);
        Assert.Equal(2, (long)Dc("zync-que")["status"]!["latestVersion"]!);
        Assert.Equal(1, (long)Dc("system-app")["status"]!["latestVersion"]!);
    }

    [Fact]
    public async Task Deployer_completes_the_new_rc_scales_the_old_to_zero_and_removes_its_pods()
    {
        AddTags("amp-zync", "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");
        await Cluster.WaitForIdleAsync(Timeout);

        var rc2 = Cluster.Registry.Get("replicationcontrollers", Ns, "zync-2")!;
        var rc1 = Cluster.Registry.Get("replicationcontrollers", Ns, "zync-1")!;
        Assert.Equal("Complete", rc2.Annotation("openshift.io/deployment.phase"));
        Assert.Equal("2", rc2.Annotation("openshift.io/deployment-config.latest-version"));
        Assert.Equal("zync", rc2.Annotation("openshift.io/deployment-config.name"));
        Assert.Equal(1, (long)rc2["spec"]!["replicas"]!);
        Assert.Equal(0, (long)rc1["spec"]!["replicas"]!);
        var pods = Cluster.Registry.List("pods", Ns).Items.Where(p => p.Label("deploymentconfig") == "zync").Select(p => p.Label("deployment")).ToList();
        Assert.Equal(["zync-2"], pods);
        var status = Dc("zync")["status"]!;
        Assert.Equal((1L, 1L, 1L, 0L), ((long)status["replicas"]!, (long)status["updatedReplicas"]!, (long)status["availableReplicas"]!, (long)status["unavailableReplicas"]!));
        var progressing = status["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Progressing")!;
        Assert.Equal("NewReplicationControllerAvailable", (string?)progressing["reason"]);
        Assert.Equal("replication controller \"zync-2\" successfully rolled out", (string?)progressing["message"]);
    }

    [Fact]
    public async Task A_new_tag_with_the_same_image_causes_no_rollout()
    {
        AddTags("zync-database-postgresql", "registry.redhat.io/rhscl/postgresql-10-rhel7");
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(1, (long)Dc("zync-database")["status"]!["latestVersion"]!);
    }

    [Fact]
    public async Task Config_change_of_the_pod_template_starts_a_new_version()
    {
        Cluster.Registry.Modify("deploymentconfigs", Ns, "system-app", dc =>
        {
            foreach (var c in dc["spec"]!["template"]!["spec"]!["containers"]!.AsArray())
            {
                c!["env"]!.AsArray().Add(new JsonObject { ["name"] = "EXTRA", ["value"] = "1" });
            }

            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var dcNow = Dc("system-app");
        Assert.Equal(2, (long)dcNow["status"]!["latestVersion"]!);
        Assert.Equal("ConfigChange", (string?)dcNow["status"]!["details"]!["causes"]![0]!["type"]);
    }

    [Fact]
    public async Task Failed_import_sets_the_import_success_condition_and_starts_no_rollout()
    {
        const string image = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7";
        Cluster.ControllerFaults.FailImport(image);
        AddTags("amp-zync", image);
        await Cluster.WaitForIdleAsync(Timeout);

        var tag = Stream("amp-zync")["status"]!["tags"]!.AsArray().Single(t => (string?)t!["tag"] == "2.7")!;
        var condition = tag["conditions"]![0]!;
        Assert.Equal(("ImportSuccess", "False", "Unauthorized"), ((string?)condition["type"], (string?)condition["status"], (string?)condition["reason"]));
        Assert.Equal($"you may not have access to the container image \"{image}\"", (string?)condition["message"]);
        Assert.Equal(1, (long)Dc("zync")["status"]!["latestVersion"]!);
    }

    [Fact]
    public async Task Stuck_pods_fail_the_rollout_with_progress_deadline_exceeded_and_the_old_rc_keeps_serving()
    {
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "zync", "ImagePullBackOff");
        var podReasons = new List<string?>();
        var watch = Cluster.Registry.Store.Watch("pods", Ns, null, Timeout);
        AddTags("amp-zync", "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");
        await Cluster.WaitForIdleAsync(Timeout);
        while (watch.TryRead(out var e))
        {
            if (e.Item.Label("deployment") == "zync-2")
            {
                podReasons.Add((string?)e.Item["status"]?["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"]);
            }
        }

        var zync = Dc("zync");
        var progressing = zync["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Progressing")!;
        Assert.Equal(("False", "ProgressDeadlineExceeded"), ((string?)progressing["status"], (string?)progressing["reason"]));
        Assert.Equal("Failed", Cluster.Registry.Get("replicationcontrollers", Ns, "zync-2")!.Annotation("openshift.io/deployment.phase"));
        Assert.Contains("ImagePullBackOff", podReasons);
        Assert.Equal(1, (long)Cluster.Registry.Get("replicationcontrollers", Ns, "zync-1")!["spec"]!["replicas"]!);
        Assert.Equal(1, (long)zync["status"]!["availableReplicas"]!);
    }

    [Fact]
    public async Task Pinned_digest_and_a_reimport_move_a_tag_to_a_new_digest_and_trigger_a_rollout()
    {
        var newDigest = new string('c', 64);
        Cluster.ControllerFaults.PinDigest("registry.redhat.io/3scale-amp26/zync", newDigest);
        Cluster.Registry.Modify("imagestreams", Ns, "amp-zync", s =>
        {
            s["spec"]!["tags"]!.AsArray().Single(t => (string?)t!["name"] == "2.6")!["generation"] = 0;
            return s;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal("registry.redhat.io/3scale-amp26/zync@sha256:" + newDigest, (string?)Dc("zync")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(2, (long)Dc("zync")["status"]!["latestVersion"]!);
    }

    [Fact]
    public async Task Instantiate_starts_a_manual_rollout()
    {
        using var api = Api();
        var (code, body, _) = await api.SendAsync(HttpMethod.Post, "/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/zync/instantiate",
            """{"kind":"DeploymentRequest","apiVersion":"apps.openshift.io/v1","name":"zync","latest":true,"force":true}""");
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(System.Net.HttpStatusCode.Created, code);
        Assert.Equal(2, (long)body!["status"]!["latestVersion"]!);
        Assert.Equal("Manual", (string?)Dc("zync")["status"]!["details"]!["causes"]![0]!["type"]);
        Assert.Equal("Complete", Cluster.Registry.Get("replicationcontrollers", Ns, "zync-2")!.Annotation("openshift.io/deployment.phase"));
    }
}
