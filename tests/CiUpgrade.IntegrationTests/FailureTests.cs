using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Auth;

namespace CiUpgrade.IntegrationTests;

public sealed class FailureTests : UpgradeTest
{
    [Fact]
    public async Task Failed_import_stops_patch_imagestreams_with_exit_4_and_the_import_message()
    {
        Cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7");

        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var (code, _, error) = await Ciupgrade("patch-imagestreams");

        Assert.Equal(4, code);
        Assert.Contains("import of tag 2.7 failed (Unauthorized): you may not have access to the container image \"registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7\"", error, StringComparison.Ordinal);
        Assert.Equal(1, LatestVersion("system-app"));
    }

    [Fact]
    public async Task Stuck_rollout_fails_with_exit_5_naming_the_dc_and_the_pod_reason()
    {
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "system-sidekiq", "ImagePullBackOff");

        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var (code, _, error) = await Ciupgrade("patch-imagestreams");

        Assert.Equal(5, code);
        Assert.Contains("rollout of DeploymentConfig system-sidekiq failed", error, StringComparison.Ordinal);
        Assert.Contains("ImagePullBackOff: Back-off pulling image \"registry.redhat.io/3scale-amp2/system-rhel7@sha256:", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Verify_fails_with_exit_1_and_junit_failures_for_images_from_the_old_registry()
    {
        var suite = await VerifyAsync(1);

        var failure = suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "system-app").Element("failure")!;
        Assert.StartsWith("amp-system:2.7 does not exist (no spec tag 2.7 in image stream amp-system) (and ", (string?)failure.Attribute("message"), StringComparison.Ordinal);
        Assert.Contains("container system-master runs registry.redhat.io/3scale-amp26/system@sha256:", failure.Value, StringComparison.Ordinal);
        Assert.Contains(", expected registry.redhat.io/3scale-amp2/system-rhel7@sha256:<64 hex digits>", failure.Value, StringComparison.Ordinal);
        Assert.Equal("Failed", await File.ReadAllTextAsync(Path.Combine(Dir, "results", "status")));
    }

    [Fact]
    public async Task Verify_fails_for_a_dc_running_a_tag_instead_of_a_digest()
    {
        await UpgradeAsync();
        // A hand edit: the trigger is switched off so the controller does not put the digest back.
        Cluster.Registry.Modify("deploymentconfigs", Ns, "zync-que", dc =>
        {
            dc["spec"]!["triggers"]!.AsArray().Single(t => (string?)t!["type"] == "ImageChange")!["imageChangeParams"]!["automatic"] = false;
            dc["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7";
            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var suite = await VerifyAsync(1);

        Assert.Equal("1", (string?)suite.Attribute("failures"));
        var failure = suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "zync-que").Element("failure")!;
        Assert.Contains("container que runs registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7, the plan expects registry.redhat.io/3scale-amp2/zync-rhel7@sha256:", failure.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Role_without_patch_makes_preflight_exit_3_naming_the_missing_permission()
    {
        const string role = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: reader, namespace: 3scale}
            rules:
            - apiGroups: ["image.openshift.io", "apps.openshift.io", "build.openshift.io"]
              resources: ["imagestreams", "deploymentconfigs", "buildconfigs"]
              verbs: ["get", "list", "watch"]
            """;
        var kubeconfig = Cluster.WriteKubeconfig(Path.Combine(Dir, "ro"), Cluster.AddServiceAccountToken(Ns, "ci", role), Ns);

        var (code, _, error) = await Ciupgrade("preflight", "--kubeconfig", kubeconfig);
        var (patchCode, _, patchError) = await Ciupgrade("patch-imagestreams", "--kubeconfig", kubeconfig);

        Assert.Equal(3, code);
        // Every denied permission, in the Role's order, though the reviews are sent at once.
        Assert.Contains("missing permissions in namespace 3scale: patch imagestreams.image.openshift.io, patch deploymentconfigs.apps.openshift.io, "
            + "list replicationcontrollers, list pods, watch pods, get configmaps, create deploymentconfigs/instantiate.apps.openshift.io, "
            + "create configmaps, update configmaps/ciupgrade-lock, delete configmaps/ciupgrade-lock — bind the Role", error, StringComparison.Ordinal);
        Assert.Equal(3, patchCode);
        Assert.Contains("cannot get resource \"configmaps\"", patchError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_server_and_bad_token_exit_3()
    {
        var closed = Path.Combine(Dir, "closed");
        await File.WriteAllTextAsync(closed, (await File.ReadAllTextAsync(Kubeconfig)).Replace(Cluster.BaseUri.ToString().TrimEnd('/'), "https://127.0.0.1:9", StringComparison.Ordinal));
        var badToken = Cluster.WriteKubeconfig(Path.Combine(Dir, "bad"), "sha256~wrong", Ns);

        var (code, _, error) = await Ciupgrade("verify", "--kubeconfig", closed);
        var (tokenCode, _, tokenError) = await Ciupgrade("verify", "--kubeconfig", badToken);

        Assert.Equal(3, code);
        Assert.Contains("cannot reach the API server at https://127.0.0.1:9", error, StringComparison.Ordinal);
        Assert.Equal(3, tokenCode);
        Assert.Contains("401 Unauthorized", tokenError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_context_and_missing_plan_file_exit_2()
    {
        var (code, _, error) = await Ciupgrade("verify", "--context", "nope");
        var (planCode, _, planError) = await Ciupgrade("verify", "--plan", Path.Combine(Dir, "missing.yaml"));

        Assert.Equal(2, code);
        Assert.Contains("nope", error, StringComparison.Ordinal);
        Assert.Equal(2, planCode);
        Assert.Contains("missing.yaml does not exist", planError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespace_without_a_3scale_install_exits_4()
    {
        var (code, _, error) = await Ciupgrade("preflight", "-n", "empty");

        Assert.Equal(4, code);
        Assert.Contains("namespace empty holds no 3scale install", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dc_not_rolled_out_before_the_upgrade_fails_preflight_with_exit_4()
    {
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "zync", "CrashLoopBackOff");
        Cluster.Registry.Modify("deploymentconfigs", Ns, "zync", dc =>
        {
            dc["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().Add(new JsonObject { ["name"] = "X", ["value"] = "1" });
            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var (code, _, error) = await Ciupgrade("preflight");

        Assert.Equal(4, code);
        Assert.Contains("DeploymentConfig zync is not rolled out", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Injected_server_errors_and_throttling_are_retried()
    {
        Cluster.HttpFaults.FailNext(2, 503);
        var (code, _, error) = await Ciupgrade("preflight");
        Assert.True(code == 0, error);

        Cluster.HttpFaults.FailNext(1, 429, method: "PATCH");
        Cluster.HttpFaults.ConflictNext(1);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var (patchCode, _, patchError) = await Ciupgrade("patch-imagestreams");
        Assert.True(patchCode == 0, patchError);
        Assert.Contains(Cluster.Requests, r => r.StatusCode == 429);
    }

    [Fact]
    public async Task Dropped_watches_are_resumed()
    {
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        Cluster.HttpFaults.DropWatchesAfterEvents = 1;

        var (code, _, error) = await Ciupgrade("patch-imagestreams");

        Assert.True(code == 0, error);
        Assert.True(Cluster.Requests.Count(r => r.IsWatch) > 6, "watches were reopened after being dropped");
        await VerifyAfterReleaseAsync();
    }

    private async Task VerifyAfterReleaseAsync()
    {
        Cluster.HttpFaults.Reset();
        Assert.Equal(0, (await Ciupgrade("set-release")).Code);
        await VerifyAsync(0);
    }
}

/// <summary>A long progress deadline for the stuck DC, so the stage's own --timeout is what ends the wait.</summary>
public sealed class RolloutTimeoutTests : UpgradeTest
{
    protected override CiUpgrade.Simulator.Controllers.ControllerTiming Timing =>
        CiUpgrade.Simulator.Controllers.ControllerTiming.Fast with { StuckRolloutDeadline = TimeSpan.FromMinutes(10) };

    [Fact]
    public async Task Crash_looping_rollout_reports_the_containers_message_and_times_out_with_exit_5()
    {
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "zync", "CrashLoopBackOff");
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        await Ciupgrade("patch-imagestreams", "--no-wait");
        await WaitUntilAsync(() => Cluster.Registry.List("pods", Ns).Items.Any(p =>
            (string?)p["metadata"]!["labels"]?["deployment"] == "zync-2"
            && (string?)p["status"]?["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] == "CrashLoopBackOff"));

        var (code, _, error) = await Ciupgrade("wait-rollouts", "--dc", "zync", "--timeout", "1s", "--kubeconfig", Kubeconfig);

        Assert.Equal(5, code);
        Assert.Contains("zync", error, StringComparison.Ordinal);
        Assert.Contains("CrashLoopBackOff", error, StringComparison.Ordinal);
    }
}
