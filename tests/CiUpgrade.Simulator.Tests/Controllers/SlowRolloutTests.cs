using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Controllers;

public sealed class SlowRolloutTests : ClusterTest
{
    [Fact]
    public async Task A_slowed_dc_is_still_early_in_its_rollout_when_its_sibling_has_finished()
    {
        Cluster.ControllerFaults.SlowDeploymentConfig(Ns, "zync", TimeSpan.FromHours(1));
        var changes = Cluster.Registry.Store.Watch("replicationcontrollers", Ns, null, Timeout);
        Cluster.Registry.Modify("imagestreams", Ns, "amp-zync", s =>
        {
            var tags = s["spec"]!["tags"]!.AsArray();
            tags.Add(new JsonObject { ["name"] = "2.7", ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7" } });
            tags.Add(new JsonObject { ["name"] = "latest", ["from"] = new JsonObject { ["kind"] = "ImageStreamTag", ["name"] = "2.7" } });
            return s;
        });

        while (Cluster.Registry.Get("replicationcontrollers", Ns, "zync-que-2")?.Annotation("openshift.io/deployment.phase") != "Complete")
        {
            await changes.ReadAsync(Timeout);
        }

        Assert.Equal("Pending", Cluster.Registry.Get("replicationcontrollers", Ns, "zync-2")!.Annotation("openshift.io/deployment.phase"));
    }
}
