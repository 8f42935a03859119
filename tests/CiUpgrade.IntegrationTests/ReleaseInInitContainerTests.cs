using System.Text.Json.Nodes;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// An init container of system-app that reads AMP_RELEASE (a customised install) gets the target from set-release, as
/// `oc set env` would set it, and verify's release check agrees with what set-release wrote.
/// </summary>
public sealed class ReleaseInInitContainerTests : UpgradeTest
{
    private void AddInitContainer(string release) => Cluster.Registry.Modify("deploymentconfigs", Ns, "system-app", dc =>
    {
        var spec = dc["spec"]!["template"]!["spec"]!.AsObject();
        var image = (string)spec["containers"]![0]!["image"]!;
        spec["initContainers"] = new JsonArray(new JsonObject
        {
            ["name"] = "release-check",
            ["image"] = image,
            ["env"] = new JsonArray(new JsonObject { ["name"] = "AMP_RELEASE", ["value"] = release }),
        });
        return dc;
    });

    private string InitRelease() =>
        (string)Get("deploymentconfigs", "system-app")["spec"]!["template"]!["spec"]!["initContainers"]![0]!["env"]![0]!["value"]!;

    [Fact]
    public async Task Set_release_sets_an_init_containers_release_and_verify_passes()
    {
        AddInitContainer("2.6");
        await Cluster.WaitForIdleAsync(Timeout);

        await UpgradeAsync();

        Assert.Equal("2.7", InitRelease());
        var suite = await VerifyAsync(0);
        Assert.Contains(suite.Elements("testcase"), t => (string?)t.Attribute("name") == "release AMP_RELEASE" && t.Element("failure") is null);
    }

    [Fact]
    public async Task Verify_fails_an_init_container_left_on_the_source_release()
    {
        AddInitContainer("2.6");
        await Cluster.WaitForIdleAsync(Timeout);
        await UpgradeAsync();
        AddInitContainer("2.6");
        await Cluster.WaitForIdleAsync(Timeout);

        var suite = await VerifyAsync(1);

        var failure = suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "release AMP_RELEASE").Element("failure");
        Assert.Contains("AMP_RELEASE on system-app init container release-check is 2.6, the plan's target is 2.7", (string?)failure?.Attribute("message"), StringComparison.Ordinal);
    }
}
