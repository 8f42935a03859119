using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.Plans;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// The verify gate and the waits judge what runs against the plan's target (issue 15), and a rerun recovers a
/// failed rollout or import once its cause is fixed (issue 13): each a scenario a user could hit.
/// </summary>
public sealed class GateTests : UpgradeTest
{
    private const string SystemImage = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7";

    private static XElement Case(XElement suite, string name) => suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == name);

    private static string? FailureMessage(XElement suite, string name) => (string?)Case(suite, name).Element("failure")?.Attribute("message");

    private async Task<string> PlanFileAsync(string name, Func<string, string> edit)
    {
        using var stream = typeof(PlanLoader).Assembly.GetManifestResourceStream("CiUpgrade.Plans.3scale-2.6-to-2.7.yaml")!;
        using var reader = new StreamReader(stream);
        var path = Path.Combine(Dir, name);
        await File.WriteAllTextAsync(path, edit(await reader.ReadToEndAsync()));
        return path;
    }

    private async Task OkAsync(params string[] args)
    {
        var (code, output, error) = await Ciupgrade(args);
        Assert.True(code == 0, $"{args[0]} exited {code}: {error}\n{output}");
    }

    /// <summary>`oc set env dc/system-app AMP_RELEASE=<paramref name="release"/>` as the JSON patch it amounts to, then the rollout it starts.</summary>
    private async Task SetReleaseByHandAsync(string release)
    {
        var ops = new JsonArray();
        var containers = Get("deploymentconfigs", "system-app")["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        for (var i = 0; i < containers.Count; i++)
        {
            var j = containers[i]!["env"]!.AsArray().Select((e, k) => (e, k)).Single(x => (string?)x.e!["name"] == "AMP_RELEASE").k;
            ops.Add(new JsonObject { ["op"] = "replace", ["path"] = $"/spec/template/spec/containers/{i}/env/{j}", ["value"] = new JsonObject { ["name"] = "AMP_RELEASE", ["value"] = release } });
        }

        var (code, _, error) = await Shell(Kubeconfig, $"kubectl patch -n {Ns} dc/system-app --type=json -p '{ops.ToJsonString()}'");
        Assert.True(code == 0, error);
        await Cluster.WaitForIdleAsync(Timeout);
    }

    private void SetAutomatic(string dc, bool automatic) => Cluster.Registry.Modify("deploymentconfigs", Ns, dc, d =>
    {
        foreach (var t in d["spec"]!["triggers"]!.AsArray().OfType<JsonObject>().Where(t => (string?)t["type"] == "ImageChange"))
        {
            t["imageChangeParams"]!["automatic"] = automatic;
        }

        return d;
    });

    [Fact]
    public async Task A_failed_rollout_forced_through_fails_verify_naming_the_dc_and_the_rc_that_still_serves()
    {
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "system-sidekiq", "ImagePullBackOff");
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        var (code, _, error) = await Ciupgrade("patch-imagestreams");
        Assert.True(code == 5, error);

        // The rest of the chain forced through, as the review's proof (D3) did. set-release itself refuses while a
        // rollout failed (what preflight checks, before its first write: exit 4, nothing sent), so the release is set
        // by hand, as a user forcing it would (`oc set env dc/system-app AMP_RELEASE=2.7`, replayed as its JSON patch).
        await OkAsync("patch-imagestreams", "--no-wait", "--no-retry", "--kubeconfig", Kubeconfig);
        Cluster.ClearRequests();
        var (refused, _, refusal) = await Ciupgrade("set-release");
        Assert.True(refused == 4, refusal);
        Assert.Contains("DeploymentConfig system-sidekiq is not rolled out and available", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "POST" or "PUT" or "DELETE" && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal));
        await SetReleaseByHandAsync("2.7");
        var suite = await VerifyAsync(1);

        Assert.Equal("latest deployment system-sidekiq-2 is Failed; system-sidekiq-1 still serves", FailureMessage(suite, "system-sidekiq"));
        Assert.Null(FailureMessage(suite, "system-app"));
    }

    [Fact]
    public async Task A_rerun_after_a_fixed_rollout_failure_retries_it_as_oc_rollout_latest_and_verify_passes()
    {
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "system-sidekiq", "ImagePullBackOff");
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        var (code, _, error) = await Ciupgrade("patch-imagestreams");
        Assert.True(code == 5, error);
        Assert.Contains("rollout of DeploymentConfig system-sidekiq failed: latest deployment system-sidekiq-2 failed (system-sidekiq-1 still serves)", error, StringComparison.Ordinal);
        Assert.Contains("ImagePullBackOff", error, StringComparison.Ordinal);
        Assert.Contains("rerun the stage: it retries the failed deployment as `oc rollout latest dc/system-sidekiq` does", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));

        // --no-retry keeps the old behaviour: the failure stands, nothing is started.
        var (noRetry, _, noRetryError) = await Ciupgrade("wait-rollouts", "--no-retry", "--kubeconfig", Kubeconfig, "--timeout", "60s");
        Assert.Equal(5, noRetry);
        Assert.Contains("run `oc rollout latest dc/system-sidekiq`", noRetryError, StringComparison.Ordinal);
        Assert.DoesNotContain(Cluster.Requests, r => r.Path.EndsWith("/instantiate", StringComparison.Ordinal));

        Cluster.ControllerFaults.UnstickDeploymentConfig(Ns, "system-sidekiq");
        var (rerun, output, rerunError) = await Ciupgrade("patch-imagestreams");

        Assert.True(rerun == 0, rerunError + output);
        Assert.Single(output.Split('\n'), l => l.Contains("system-sidekiq: latest deployment system-sidekiq-2 had failed; retrying it as `oc rollout latest dc/system-sidekiq` does (version 3)", StringComparison.Ordinal));
        var instantiate = Assert.Single(Cluster.Requests, r => r.Path.EndsWith("/instantiate", StringComparison.Ordinal));
        Assert.Equal(("POST", $"/apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs/system-sidekiq/instantiate"), (instantiate.Method, instantiate.Path));
        await OkAsync("set-release");
        await VerifyAsync(0);
    }

    [Fact]
    public async Task A_rerun_after_a_fixed_import_failure_imports_again_and_verify_passes()
    {
        Cluster.ControllerFaults.FailImport(SystemImage);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        var (code, _, error) = await Ciupgrade("patch-imagestreams");
        Assert.Equal(4, code);
        Assert.Contains("rerun this stage: it imports the tag again (as `oc import-image amp-system:2.7`)", error, StringComparison.Ordinal);

        // Nothing fixed yet: the rerun asks for one new import, which fails again for the new generation.
        var (again, againOutput, againError) = await Ciupgrade("patch-imagestreams");
        Assert.Equal(4, again);
        Assert.Contains("amp-system: the import of tag 2.7 had failed (Unauthorized); importing it again", againOutput, StringComparison.Ordinal);
        Assert.Contains("import of tag 2.7 failed (Unauthorized)", againError, StringComparison.Ordinal);

        Cluster.ControllerFaults.ClearImportFailure(SystemImage);
        var (rerun, output, rerunError) = await Ciupgrade("patch-imagestreams");

        Assert.True(rerun == 0, rerunError + output);
        Assert.Contains("amp-system: the import of tag 2.7 had failed (Unauthorized); importing it again (tag generation 0, \"import now\")", output, StringComparison.Ordinal);
        Assert.Contains("amp-system: 2.7 → registry.redhat.io/3scale-amp2/system-rhel7@sha256:", output, StringComparison.Ordinal);
        await OkAsync("set-release");
        await VerifyAsync(0);
    }

    [Fact]
    public async Task A_failed_target_import_fails_verify_for_its_dc_naming_the_import_condition()
    {
        // system-redis gets its own pull spec, so only its 2.7 import fails.
        const string redis = "registry.redhat.io/rhscl/redis-32-rhel7:3.2-system";
        var plan = await PlanFileAsync("plan.yaml", t => t.Replace(
            "    image: registry.redhat.io/rhscl/redis-32-rhel7:3.2\n    displayName: System 2.7 Redis", $"    image: {redis}\n    displayName: System 2.7 Redis", StringComparison.Ordinal));
        Cluster.ControllerFaults.FailImport(redis);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        Assert.Equal(4, (await Ciupgrade("patch-imagestreams", "--plan", plan)).Code);
        await OkAsync("patch-imagestreams", "--plan", plan, "--no-wait", "--no-retry", "--kubeconfig", Kubeconfig);
        await OkAsync("set-release", "--plan", plan);

        var junit = Path.Combine(Dir, "verify.xml");
        var (code, output, error) = await Ciupgrade("verify", "--plan", plan, "--junit", junit);

        Assert.True(code == 1, error + output);
        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal(
            $"system-redis:2.7 has no imported image: import failed (Unauthorized): you may not have access to the container image \"{redis}\"",
            FailureMessage(suite, "system-redis"));
    }

    [Fact]
    public async Task A_later_plan_on_an_upgraded_install_fails_verify_on_every_dc()
    {
        await UpgradeAsync();
        var plan = await PlanFileAsync("2.8.yaml", t => t.Replace("2.7", "2.8", StringComparison.Ordinal).Replace("source: \"2.6\"", "source: \"2.7\"", StringComparison.Ordinal));

        var junit = Path.Combine(Dir, "verify-2.8.xml");
        var (code, _, _) = await Ciupgrade("verify", "--plan", plan, "--junit", junit);

        Assert.Equal(1, code);
        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        // The pre-hook testcase passes: the later plan keeps the 2.7 hook command.
        var dcs = suite.Elements("testcase").Where(t => t.Element("skipped") is null && (string?)t.Attribute("name") != "pre-hook").ToList();
        Assert.Equal(16, dcs.Count); // 15 DCs and the release
        Assert.All(dcs, t => Assert.NotNull(t.Element("failure")));
        Assert.StartsWith("amp-system:2.8 does not exist", FailureMessage(suite, "system-app"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manual_trigger_is_refused_by_preflight_and_no_stage_reports_it_rolled_out()
    {
        SetAutomatic("system-sidekiq", false);
        await Cluster.WaitForIdleAsync(Timeout);

        var (preflight, _, preflightError) = await Ciupgrade("preflight");
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        var (patch, patchOutput, patchError) = await Ciupgrade("patch-imagestreams");
        var (wait, waitOutput, waitError) = await Ciupgrade("wait-rollouts");

        Assert.Equal(4, preflight);
        Assert.Contains("DeploymentConfig system-sidekiq has a manual image trigger (automatic: false)", preflightError, StringComparison.Ordinal);
        Assert.Contains("`oc set triggers dc/system-sidekiq --auto`", preflightError, StringComparison.Ordinal);
        Assert.Equal((4, 4), (patch, wait));
        Assert.Contains("DeploymentConfig system-sidekiq cannot roll out the expected image", patchError, StringComparison.Ordinal);
        Assert.Contains("`oc set triggers dc/system-sidekiq --auto`", waitError, StringComparison.Ordinal);
        Assert.DoesNotContain("system-sidekiq: version 1 rolled out", patchOutput + waitOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_injected_sidecar_is_listed_in_system_out_not_failed()
    {
        await UpgradeAsync();
        Cluster.Registry.Modify("deploymentconfigs", Ns, "zync", dc =>
        {
            dc["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "log-shipper", ["image"] = "docker.io/fluent/fluent-bit:1.0" });
            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);

        var suite = await VerifyAsync(0);

        Assert.Null(FailureMessage(suite, "zync"));
        Assert.Contains("container log-shipper runs docker.io/fluent/fluent-bit:1.0: no image trigger manages it", (string?)suite.Element("system-out"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollouts_are_judged_without_the_progressing_message_which_may_name_an_older_rc()
    {
        await UpgradeAsync();
        // Upstream SetDeploymentCondition keeps a condition whose status and reason are unchanged, message included (D16).
        Cluster.Registry.Modify("deploymentconfigs", Ns, "zync", dc =>
        {
            dc["status"]!["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == "Progressing")["message"] =
                "replication controller \"zync-1\" successfully rolled out";
            return dc;
        }, status: true);
        Cluster.Registry.Modify("deploymentconfigs", Ns, "zync", dc =>
        {
            dc["spec"]!["replicas"] = 2;
            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);
        var progressing = Get("deploymentconfigs", "zync")["status"]!["conditions"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["type"] == "Progressing");
        Assert.Equal(("NewReplicationControllerAvailable", "replication controller \"zync-1\" successfully rolled out"), ((string?)progressing["reason"], (string?)progressing["message"]));
        Assert.Equal(2L, (long)Get("deploymentconfigs", "zync")["status"]!["availableReplicas"]!);

        await OkAsync("wait-rollouts", "--dc", "zync");
        var suite = await VerifyAsync(0);

        Assert.Null(FailureMessage(suite, "zync"));
    }
}
