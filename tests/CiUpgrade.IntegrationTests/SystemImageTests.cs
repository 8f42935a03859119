using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// The image a run chooses with --system-image is part of the run (review N2): patch-imagestreams records it on
/// amp-system's target tag, and verify and drift judge against it, for a mirror and for an Oracle image built
/// elsewhere; an image that is not the chosen one still fails.
/// </summary>
public abstract class SystemImageTest : UpgradeTest
{
    protected const string Mirror = "mirror.example.com/3scale-amp2/system-rhel7:3scale2.7";

    protected async Task UpgradeWithAsync(string image)
    {
        foreach (var stage in new[] { ["preflight", "--system-image", image], ["backup", "--backup-dir", Path.Combine(Dir, "backup")], ["update-prehook"],
            ["patch-imagestreams", "--system-image", image], new[] { "set-release" } })
        {
            var (code, output, error) = await Ciupgrade(stage);
            Assert.True(code == 0, $"{stage[0]} exited {code}: {error}\n{output}");
        }
    }

    protected JsonObject TargetTag() =>
        Get("imagestreams", "amp-system")["spec"]!["tags"]!.AsArray().OfType<JsonObject>().Single(t => (string?)t["name"] == "2.7");

    protected string SystemAppImage => (string)Get("deploymentconfigs", "system-app")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!;

    protected async Task<(int Code, string Output)> DriftAsync()
    {
        var (code, output, error) = await Ciupgrade("drift", "--junit", Path.Combine(Dir, "drift.xml"));
        return (code, output + error);
    }

    protected int IndexOf(string tag) =>
        Get("imagestreams", "amp-system")["spec"]!["tags"]!.AsArray().Select((t, i) => (t, i)).Single(x => (string?)x.t!["name"] == tag).i;
}

/// <summary>A standard install upgraded from a mirror.</summary>
public sealed class SystemImageTests : SystemImageTest
{

    [Fact]
    public async Task A_mirror_upgrade_ends_green_and_the_chosen_image_is_recorded_on_the_target_tag()
    {
        await UpgradeWithAsync(Mirror);

        Assert.Equal(Mirror, (string?)TargetTag()["from"]!["name"]);
        Assert.Equal(Mirror, (string?)TargetTag()["annotations"]!["ciupgrade.io/system-image"]);
        Assert.StartsWith("mirror.example.com/3scale-amp2/system-rhel7@sha256:", SystemAppImage, StringComparison.Ordinal);
        var suite = await VerifyAsync(0);
        Assert.Equal("0", (string?)suite.Attribute("failures"));
        var (given, _, givenError) = await Ciupgrade("verify", "--system-image", Mirror, "--junit", Path.Combine(Dir, "given.xml"));
        Assert.True(given == 0, givenError);
        var (drift, driftOutput) = await DriftAsync();
        Assert.True(drift == 0, driftOutput);
        // A rerun with the same image changes nothing.
        Cluster.ClearRequests();
        Assert.Equal(0, (await Ciupgrade("patch-imagestreams", "--system-image", Mirror)).Code);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task An_image_other_than_the_chosen_one_fails_verify_and_drift()
    {
        await UpgradeWithAsync(Mirror);

        // The run chose another image than the cluster holds.
        var (other, otherOutput, _) = await Ciupgrade("verify", "--system-image", "mirror.example.com/other/system:2.7", "--junit", Path.Combine(Dir, "other.xml"));
        Assert.Equal(1, other);
        Assert.Contains($"amp-system:2.7 names DockerImage {Mirror}, not the chosen system image mirror.example.com/other/system:2.7 (--system-image)", otherOutput, StringComparison.Ordinal);

        // The tag re-pointed by hand afterwards (oc tag keeps the tag's annotations): the DCs follow it, the gate does not.
        const string Elsewhere = "registry.example.org/someone/system:latest";
        var (tagged, _, tagError) = await Shell(Kubeconfig, $"kubectl patch -n {Ns} is/amp-system --type=json -p '[{{\"op\":\"replace\",\"path\":\"/spec/tags/{IndexOf("2.7")}/from/name\",\"value\":\"{Elsewhere}\"}}]'");
        Assert.True(tagged == 0, tagError);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.StartsWith("registry.example.org/someone/system@sha256:", SystemAppImage, StringComparison.Ordinal);

        var suite = await VerifyAsync(1);
        var failure = (string?)suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "system-app").Element("failure")?.Attribute("message");
        Assert.Contains($"amp-system:2.7 names DockerImage {Elsewhere}, not the chosen system image {Mirror} (--system-image)", failure, StringComparison.Ordinal);
        var (drift, driftOutput) = await DriftAsync();
        Assert.Equal(1, drift);
        Assert.Contains($"image stream amp-system: tag 2.7: was DockerImage {Mirror} (the chosen system image), is DockerImage {Elsewhere}", driftOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_chosen_image_a_mirror_on_the_tag_still_fails()
    {
        await UpgradeAsync();
        const string Elsewhere = "mirror.example.com/3scale-amp2/system-rhel7:3scale2.7";
        var (tagged, _, tagError) = await Shell(Kubeconfig, $"kubectl patch -n {Ns} is/amp-system --type=json -p '[{{\"op\":\"replace\",\"path\":\"/spec/tags/{IndexOf("2.7")}/from/name\",\"value\":\"{Elsewhere}\"}}]'");
        Assert.True(tagged == 0, tagError);
        await Cluster.WaitForIdleAsync(Timeout);

        var suite = await VerifyAsync(1);

        var failure = (string?)suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "system-app").Element("failure")?.Attribute("message");
        Assert.Contains("expected registry.redhat.io/3scale-amp2/system-rhel7@sha256:<64 hex digits>", failure, StringComparison.Ordinal);
    }
}

/// <summary>An Oracle-backed install upgraded with an amp-system image built elsewhere (with the Oracle client) instead of the in-cluster build.</summary>
public sealed class OracleOwnImageTests : SystemImageTest
{
    private const string Built = "quay.example.com/acme/amp-system-oracle:2.7";

    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    [Fact]
    public async Task An_oracle_upgrade_with_an_image_built_elsewhere_ends_green()
    {
        var builds = Cluster.Registry.Store.List("builds", Ns).Items.Count;

        await UpgradeWithAsync(Built);

        Assert.Equal(Built, (string?)TargetTag()["annotations"]!["ciupgrade.io/system-image"]);
        Assert.StartsWith("quay.example.com/acme/amp-system-oracle@sha256:", SystemAppImage, StringComparison.Ordinal);
        Assert.Equal(builds, Cluster.Registry.Store.List("builds", Ns).Items.Count);
        var suite = await VerifyAsync(0);
        Assert.Equal("0", (string?)suite.Attribute("failures"));
        var (drift, driftOutput) = await DriftAsync();
        Assert.True(drift == 0, driftOutput);
        var (wrong, wrongOutput, _) = await Ciupgrade("verify", "--system-image", Mirror, "--junit", Path.Combine(Dir, "wrong.xml"));
        Assert.Equal(1, wrong);
        Assert.Contains($"not the chosen system image {Mirror}", wrongOutput, StringComparison.Ordinal);
    }
}
