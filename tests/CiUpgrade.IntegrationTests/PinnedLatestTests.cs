using System.Text.Json.Nodes;

namespace CiUpgrade.IntegrationTests;

/// <summary>D14: a hotfix pin of amp-system:latest (a DockerImage) on a standard install is not taken for an Oracle build.</summary>
public sealed class PinnedLatestTests : UpgradeTest
{
    [Fact]
    public async Task A_docker_image_latest_is_a_preflight_warning_and_the_upgrade_replaces_it()
    {
        Cluster.Registry.Modify("imagestreams", Ns, "amp-system", s =>
        {
            var latest = s["spec"]!["tags"]!.AsArray().Single(t => (string?)t!["name"] == "latest")!;
            latest["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = "registry.example.com/hotfix/system:2.6-hf1" };
            return s;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var (code, output, error) = await Ciupgrade("preflight");

        Assert.True(code == 0, error);
        Assert.Contains("oracle: no", output, StringComparison.Ordinal);
        Assert.Contains("amp-system:latest is pinned to DockerImage registry.example.com/hotfix/system:2.6-hf1; the upgrade will replace it with ImageStreamTag amp-system:2.7", output, StringComparison.Ordinal);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        Assert.Equal(0, (await Ciupgrade("patch-imagestreams")).Code);
        Assert.Equal("ImageStreamTag", (string?)Get("imagestreams", "amp-system")["spec"]!["tags"]!.AsArray().Single(t => (string?)t!["name"] == "latest")!["from"]!["kind"]);
    }
}
