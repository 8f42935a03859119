using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// Bad input is refused with its documented code and leaves the cluster as it was, proven by comparing what the tool
/// could write (stream and DC specs, ConfigMaps, BuildConfigs, builds) before and after. Input the user gives is
/// refused before the first request (the server sees nothing); cluster states a stage cannot act on are refused
/// before the first write (exit 4), as preflight would.
/// </summary>
public sealed class BadInputTests : UpgradeTest
{
    private string Writable() => string.Join("\n",
        new[] { "imagestreams", "deploymentconfigs", "configmaps", "buildconfigs", "builds" }.SelectMany(kind =>
            Cluster.Registry.List(kind, Ns).Items.OrderBy(o => o.Name(), StringComparer.Ordinal)
                .Select(o => $"{kind}/{o.Name()}: {(o["spec"] ?? o["data"])?.ToJsonString()}")));

    private async Task AssertRefusedAsync(int expected, string message, bool noRequest, params string[] args)
    {
        await Cluster.WaitForIdleAsync(Timeout);
        var before = Writable();
        Cluster.ClearRequests();

        var (code, output, error) = await Ciupgrade(args);

        Assert.True(code == expected, $"exit {code}: {error}\n{output}");
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("unexpected", error, StringComparison.Ordinal);
        Assert.Equal(before, Writable());
        Assert.DoesNotContain(Cluster.Requests, r => r.Method is "PATCH" or "PUT" || r.Method == "POST" && !r.Path.Contains("accessreviews", StringComparison.Ordinal) && !r.Path.EndsWith("/configmaps", StringComparison.Ordinal));
        if (noRequest)
        {
            Assert.Empty(Cluster.Requests);
        }
    }

    private void SetRelease(string release) =>
        Cluster.Registry.Modify("configmaps", Ns, "system-environment", cm =>
        {
            cm["data"]!["AMP_RELEASE"] = release;
            return cm;
        });

    [Theory]
    [InlineData("2.5")]
    [InlineData("2.8")]
    public async Task Set_release_refuses_an_install_at_another_release(string release)
    {
        SetRelease(release);

        await AssertRefusedAsync(4, $"system-app reports AMP_RELEASE={release}, but this plan upgrades 2.6 to 2.7", false, "set-release");
    }

    [Theory]
    [InlineData("patch-imagestreams")]
    [InlineData("rollback")]
    public async Task Forward_stages_and_rollback_refuse_an_install_at_another_release(string stage)
    {
        Assert.Equal(0, (await Ciupgrade("backup", "--backup-dir", Path.Combine(Dir, "backup"))).Code);
        SetRelease("2.5");

        await AssertRefusedAsync(4, "system-app reports AMP_RELEASE=2.5", false, stage == "rollback" ? ["rollback", "--backup-dir", Path.Combine(Dir, "backup")] : [stage]);
    }

    [Theory]
    [InlineData("deploymentconfigs", "backend-worker", "DeploymentConfig backend-worker is missing")]
    [InlineData("imagestreams", "amp-zync", "image stream amp-zync is missing")]
    public async Task Patch_imagestreams_refuses_a_namespace_missing_what_the_plan_needs(string kind, string name, string message)
    {
        Cluster.Registry.Delete(kind, Ns, name);

        await AssertRefusedAsync(4, message, false, "patch-imagestreams");
    }

    [Fact]
    public async Task Patch_imagestreams_refuses_to_start_while_a_dc_is_not_rolled_out()
    {
        Cluster.ControllerFaults.StickDeploymentConfig(Ns, "backend-worker");
        Cluster.Registry.Modify("deploymentconfigs", Ns, "backend-worker", dc =>
        {
            dc["spec"]!["template"]!["metadata"]!["annotations"] = new JsonObject { ["touched"] = "yes" };
            return dc;
        });
        await WaitUntilAsync(() => LatestVersion("backend-worker") == 2);

        var before = Writable();
        var (code, _, error) = await Ciupgrade("patch-imagestreams");

        Assert.Equal(4, code);
        Assert.Contains("DeploymentConfig backend-worker is not rolled out and available", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", error, StringComparison.Ordinal);
        Assert.Equal(before, Writable());
    }

    [Theory]
    [InlineData("patch-imagestreams --system-image", "not an image", "--system-image \"not an image\" is not an image reference")]
    [InlineData("preflight --system-image", "registry.io/UPPER:y", "is not an image reference")]
    [InlineData("set-release --timeout", "1200h", "--timeout 1200h is longer than the 24h0m0s a stage may wait")]
    [InlineData("set-release --api-retry-budget", "forever", "--api-retry-budget \"forever\" is not a duration")]
    [InlineData("patch-imagestreams -n", "3Scale", "-n/--namespace \"3Scale\" is not a valid namespace")]
    [InlineData("wait-rollouts --dc", "System_App", "--dc \"System_App\" is not a valid object name")]
    [InlineData("verify --output", "yaml", "--output \"yaml\" is not supported")]
    public async Task Bad_flags_exit_2_before_any_request(string verbAndFlag, string value, string message)
    {
        var parts = verbAndFlag.Split(' ');
        await AssertRefusedAsync(2, message, true, [.. parts, value, "--kubeconfig", Kubeconfig]);
    }

    [Fact]
    public async Task A_100000_character_namespace_never_reaches_the_server()
    {
        await AssertRefusedAsync(2, "is not a valid namespace", true, "patch-imagestreams", "-n", new string('a', 100_000));
    }

    [Theory]
    [InlineData("""{"namespace": 3, "images": {}}""", "baseline {0}: namespace must be a non-empty string")]
    [InlineData("""{"namespace": "3scale", "images": []}""", "baseline {0}: images must be an object")]
    [InlineData("""{"namespace": "3scale", "images": {"system-app": {"system-master": 7}}}""", "images.system-app.system-master must be an image string")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{"namespace": """, "cannot read the baseline")]
    public async Task Malformed_baselines_exit_2_naming_the_field_before_any_request(string json, string message)
    {
        var path = Path.Combine(Dir, "baseline.json");
        await File.WriteAllTextAsync(path, json);

        await AssertRefusedAsync(2, string.Format(System.Globalization.CultureInfo.InvariantCulture, message, path), true, "drift", "--baseline", path, "--junit", Path.Combine(Dir, "d.xml"));
    }

    [Fact]
    public async Task A_plan_whose_oracle_stream_is_not_among_its_streams_exits_2_before_any_request()
    {
        using var embedded = typeof(CiUpgrade.Cli.CliApp).Assembly.GetManifestResourceStream("CiUpgrade.Plans.3scale-2.6-to-2.7.yaml")!;
        var plan = new StreamReader(embedded).ReadToEnd();
        Assert.Contains("imageStream: amp-system", plan, StringComparison.Ordinal);
        plan = plan.Replace("imageStream: amp-system", "imageStream: amp-elsewhere", StringComparison.Ordinal);
        var path = Path.Combine(Dir, "plan.yaml");
        await File.WriteAllTextAsync(path, plan);

        await AssertRefusedAsync(2, "oracle.imageStream: \"amp-elsewhere\" is not among imageStreams", true, "patch-imagestreams", "--plan", path);
    }

    [Fact]
    public async Task With_both_the_plan_and_the_kubeconfig_bad_the_plan_is_named_first()
    {
        // The plan is read before the kubeconfig (CliApp): one line, naming the first mistake.
        var plan = Path.Combine(Dir, "plan.yaml");
        await File.WriteAllTextAsync(plan, "imageStreams: [ {");
        var kubeconfig = Path.Combine(Dir, "broken.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, "clusters: [ {");

        await AssertRefusedAsync(2, plan, true, "verify", "--plan", plan, "--kubeconfig", kubeconfig, "--junit", Path.Combine(Dir, "v.xml"));
        var (_, _, error) = await Ciupgrade("verify", "--plan", plan, "--kubeconfig", kubeconfig, "--junit", Path.Combine(Dir, "v.xml"));
        Assert.DoesNotContain(kubeconfig, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kubeconfig_that_is_not_one_exits_2()
    {
        var path = Path.Combine(Dir, "broken.kubeconfig");
        await File.WriteAllTextAsync(path, "clusters: [ {");

        await AssertRefusedAsync(2, "kubeconfig", true, "set-release", "--kubeconfig", path, "--timeout", "60s");
    }
}
