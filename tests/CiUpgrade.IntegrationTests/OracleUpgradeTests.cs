using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// An Oracle-backed install upgraded through the in-cluster build: amp-system gets only the 2.7 tag, the
/// BuildConfig's base moves to amp-system:2.7, a binary build with the Oracle client files pushes the new
/// latest, the system DCs roll it out, and verify and drift accept the built image.
/// </summary>
public class OracleUpgradeTests : UpgradeTest
{
    private const string Bc = "3scale-amp-system-oracle";

    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    private long LastBuildVersion => (long)Get("buildconfigs", Bc)["status"]!["lastVersion"]!;

    private string SystemAppImage => (string)Get("deploymentconfigs", "system-app")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!;

    private async Task UpgradeWithBuildAsync(string clientDir)
    {
        foreach (var stage in new[] { ["preflight", "--oracle-client-dir", clientDir], ["backup", "--backup-dir", Path.Combine(Dir, "backup")], ["update-prehook"],
            ["patch-imagestreams", "--oracle-client-dir", clientDir], new[] { "set-release" } })
        {
            var (code, output, error) = await Ciupgrade(stage);
            Assert.True(code == 0, $"{stage[0]} exited {code}: {error}\n{output}");
        }
    }

    [Fact]
    public async Task Upgrade_rebuilds_the_system_image_on_the_new_base_and_verify_passes()
    {
        var dir = OracleClientDir();
        var before = SystemAppImage;

        await UpgradeWithBuildAsync(dir);
        var suite = await VerifyAsync(0);

        var stream = Get("imagestreams", "amp-system");
        var tags = stream["spec"]!["tags"]!.AsArray();
        Assert.DoesNotContain(tags, t => (string?)t!["name"] == "latest");
        Assert.Equal("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7", (string?)tags.Single(t => (string?)t!["name"] == "2.7")!["from"]!["name"]);
        Assert.Equal("amp-system:2.7", (string?)Get("buildconfigs", Bc)["spec"]!["strategy"]!["dockerStrategy"]!["from"]!["name"]);
        var build = Get("builds", Bc + "-2");
        Assert.Equal("Complete", (string?)build["status"]!["phase"]);
        Assert.Matches("^registry.redhat.io/3scale-amp2/system-rhel7@sha256:[0-9a-f]{64}$", (string?)build["spec"]!["strategy"]!["dockerStrategy"]!["from"]!["name"]);
        Assert.NotEqual(before, SystemAppImage);
        Assert.EndsWith("@" + (string)build["status"]!["output"]!["to"]!["imageDigest"]!, SystemAppImage, StringComparison.Ordinal);
        Assert.StartsWith($"image-registry.openshift-image-registry.svc:5000/{Ns}/amp-system@sha256:", SystemAppImage, StringComparison.Ordinal);
        Assert.Equal(ThreeScaleSeed.OracleClientFiles.Order(StringComparer.Ordinal), Cluster.BinaryUploads.FilesOf(Ns, Bc + "-2")!.Order(StringComparer.Ordinal));
        var upload = Assert.Single(Cluster.Requests, r => r.Method == "POST" && r.Path.EndsWith("/instantiatebinary", StringComparison.Ordinal));
        Assert.Equal($"/apis/build.openshift.io/v1/namespaces/{Ns}/buildconfigs/{Bc}/instantiatebinary", upload.Path);
        Assert.Equal(201, upload.StatusCode);
        Assert.Equal("0", (string?)suite.Attribute("failures"));
        Assert.Contains(suite.Elements("testcase"), t => (string?)t.Attribute("name") == "system-app" && t.Element("failure") is null);
        var (drift, driftOut, _) = await Ciupgrade("drift", "--junit", Path.Combine(Dir, "drift.xml"));
        Assert.True(drift == 0, driftOut);
    }

    [Fact]
    public async Task Verify_fails_naming_the_build_when_the_system_image_was_never_rebuilt_on_the_target_base()
    {
        // The 2.7 rebuild failed: amp-system:2.7 is imported, but latest (and so every system DC) still holds build 1's image, built on 2.6.
        Cluster.ControllerFaults.FailBuild(Ns, Bc);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var (code, _, error) = await Ciupgrade("patch-imagestreams", "--oracle-client-dir", OracleClientDir());
        Assert.True(code == 5, error);

        var suite = await VerifyAsync(1);

        var failure = suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "system-app").Element("failure")!;
        Assert.Contains($"runs the image of build {Bc}-1, built on registry.redhat.io/3scale-amp26/system@sha256:", failure.Value, StringComparison.Ordinal);
        Assert.Contains(", not on amp-system:2.7 (registry.redhat.io/3scale-amp2/system-rhel7@sha256:", failure.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rerun_does_not_rebuild_and_force_does()
    {
        var dir = OracleClientDir();
        await UpgradeWithBuildAsync(dir);
        var image = SystemAppImage;

        var (rerun, output, error) = await Ciupgrade("patch-imagestreams", "--oracle-client-dir", dir);
        Assert.True(rerun == 0, error);
        Assert.Contains($"build {Bc}-2 already made amp-system:latest", output, StringComparison.Ordinal);
        Assert.Equal(2, LastBuildVersion);
        Assert.Equal(image, SystemAppImage);

        var (forced, _, forcedError) = await Ciupgrade("build-oracle-system", "--oracle-client-dir", dir, "--force");
        Assert.True(forced == 0, forcedError);
        Assert.Equal(3, LastBuildVersion);
        Assert.NotEqual(image, SystemAppImage);
        await VerifyAsync(0);
    }

    [Fact]
    public async Task A_directory_without_every_instant_client_package_is_refused_before_anything_changes()
    {
        var dir = OracleClientDir(skip: "sdk");
        var before = Cluster.Registry.Store.CurrentResourceVersion;

        var (preflight, _, preflightError) = await Ciupgrade("preflight", "--oracle-client-dir", dir);
        var (patch, _, patchError) = await Ciupgrade("patch-imagestreams", "--oracle-client-dir", dir);
        var (build, _, _) = await Ciupgrade("build-oracle-system", "--oracle-client-dir", Path.Combine(Dir, "nowhere"));

        Assert.Equal(2, preflight);
        Assert.Contains("instantclient-sdk-linux.x64-*.zip", preflightError, StringComparison.Ordinal);
        Assert.Equal(2, patch);
        Assert.Contains("lacks oracle-client-files/instantclient-sdk-linux.x64-*.zip", patchError, StringComparison.Ordinal);
        Assert.DoesNotContain("basic", patchError.Split("lacks")[1].Split(':')[0], StringComparison.Ordinal);
        Assert.Equal(2, build);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(before, Cluster.Registry.Store.CurrentResourceVersion);
    }

    [Fact]
    public async Task A_failed_build_stops_with_exit_5_and_its_reason_and_a_rerun_builds_again()
    {
        var dir = OracleClientDir();
        Cluster.ControllerFaults.FailBuild(Ns, Bc);
        var image = SystemAppImage;

        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var (code, _, error) = await Ciupgrade("patch-imagestreams", "--oracle-client-dir", dir);

        Assert.Equal(5, code);
        Assert.Contains($"build {Bc}-2 Failed (DockerBuildFailed): Docker build strategy has failed.", error, StringComparison.Ordinal);
        Assert.Equal(image, SystemAppImage);
        Assert.Equal(1, LatestVersion("zync"));

        Cluster.ControllerFaults.ClearBuildFailure(Ns, Bc);
        var (again, _, againError) = await Ciupgrade("patch-imagestreams", "--oracle-client-dir", dir);
        Assert.True(again == 0, againError);
        Assert.Equal("Complete", (string?)Get("builds", Bc + "-3")["status"]!["phase"]);
        Assert.NotEqual(image, SystemAppImage);
    }

    [Fact]
    public async Task Plan_lists_the_tag_the_base_patch_and_the_build_and_changes_nothing()
    {
        var dir = OracleClientDir();
        var before = Cluster.Registry.Store.CurrentResourceVersion;

        var (code, output, error) = await Ciupgrade("plan", "--oracle-client-dir", dir);

        Assert.True(code == 0, error + output);
        Assert.Contains("2. imagestreams/amp-system: JSON patch", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"name\":\"latest\"", output.Split('\n').Single(l => l.Contains("2. imagestreams/amp-system", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"3. buildconfigs/{Bc}: JSON patch", output, StringComparison.Ordinal);
        Assert.Contains("amp-system:2.7", output, StringComparison.Ordinal);
        Assert.Contains($"4. buildconfigs/{Bc}/instantiatebinary: binary build from {dir}; rolls out: system-app", output, StringComparison.Ordinal);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(before, Cluster.Registry.Store.CurrentResourceVersion);
    }

    [Fact]
    public async Task Drift_flags_a_system_dc_left_off_the_built_image_and_rollback_refuses_an_oracle_install()
    {
        var dir = OracleClientDir();
        await UpgradeWithBuildAsync(dir);
        Cluster.Registry.Modify("deploymentconfigs", Ns, "system-sidekiq", dc =>
        {
            foreach (var t in dc["spec"]!["triggers"]!.AsArray().OfType<JsonObject>().Where(t => (string?)t["type"] == "ImageChange"))
            {
                t["imageChangeParams"]!["automatic"] = false;
            }

            dc["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7";
            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);
        var before = Cluster.Registry.Store.CurrentResourceVersion;

        var (drift, output, _) = await Ciupgrade("drift", "--junit", Path.Combine(Dir, "drift.xml"));
        var (rollback, _, error) = await Ciupgrade("rollback", "--backup-dir", Path.Combine(Dir, "backup"));

        Assert.Equal(1, drift);
        Assert.Contains($"image system-sidekiq: container system-sidekiq runs registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7, the plan expects image-registry.openshift-image-registry.svc:5000/{Ns}/amp-system@sha256:", output, StringComparison.Ordinal);
        Assert.Contains("its image trigger is manual: run `oc set triggers dc/system-sidekiq --auto`", output, StringComparison.Ordinal);
        Assert.Equal(4, rollback);
        Assert.Contains("rollback does not restore an Oracle-backed system image", error, StringComparison.Ordinal);
        Assert.Equal(before, Cluster.Registry.Store.CurrentResourceVersion);
    }

    [Fact]
    public async Task Build_stage_refuses_a_namespace_without_the_oracle_build_config()
    {
        Cluster.Registry.Delete("buildconfigs", Ns, Bc);

        var (code, _, error) = await Ciupgrade("build-oracle-system", "--oracle-client-dir", OracleClientDir());

        Assert.Equal(4, code);
        Assert.Contains($"BuildConfig {Bc} not found in namespace {Ns}", error, StringComparison.Ordinal);
    }
}

/// <summary>The same scenarios against OpenShift 4.x (server-side dry run, watch bookmarks).</summary>
public sealed class OracleUpgradeOn4xTests : OracleUpgradeTests
{
    protected override ServerVersion ServerVersion => ServerVersion.OpenShift4;
}
