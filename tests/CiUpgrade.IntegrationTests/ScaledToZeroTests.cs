using System.Xml.Linq;
using CiUpgrade.Plans;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// One rule for a DC kept at 0 replicas (review N4), everywhere: it is upgraded (template, trigger, image), the waits
/// say it runs nothing, verify and drift skip it with that note instead of failing it, and a plan that marks it
/// mustRun refuses it before any change and fails the gate.
/// </summary>
public sealed class ScaledToZeroTests : UpgradeTest
{
    private const string Dc = "apicast-staging";

    private void ScaleToZero() => Cluster.Registry.Modify("deploymentconfigs", Ns, Dc, dc =>
    {
        dc["spec"]!["replicas"] = 0;
        return dc;
    });

    private static XElement Case(XElement suite, string name) => suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == name);

    private async Task<string> MustRunPlanAsync()
    {
        using var stream = typeof(PlanLoader).Assembly.GetManifestResourceStream("CiUpgrade.Plans.3scale-2.6-to-2.7.yaml")!;
        using var reader = new StreamReader(stream);
        var yaml = (await reader.ReadToEndAsync()).Replace(
            $"  - deploymentConfig: {Dc}\n    repository: registry.redhat.io/3scale-amp2/apicast-gateway-rhel7\n",
            $"  - deploymentConfig: {Dc}\n    repository: registry.redhat.io/3scale-amp2/apicast-gateway-rhel7\n    mustRun: true\n", StringComparison.Ordinal);
        Assert.Contains("mustRun: true", yaml, StringComparison.Ordinal);
        var path = Path.Combine(Dir, "must-run.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    [Fact]
    public async Task A_dc_kept_at_zero_replicas_is_upgraded_and_skipped_as_scaled_to_zero_by_verify_and_drift()
    {
        ScaleToZero();
        await Cluster.WaitForIdleAsync(Timeout);
        var version = LatestVersion(Dc);

        var (preflight, preflightOut, preflightErr) = await Ciupgrade("preflight");
        Assert.True(preflight == 0, preflightErr);
        Assert.Contains($"DeploymentConfig {Dc} is scaled to zero: upgraded (template, trigger and image judged), but nothing runs", preflightOut, StringComparison.Ordinal);
        foreach (var stage in new[] { "update-prehook", "patch-imagestreams", "set-release" })
        {
            var (code, output, error) = await Ciupgrade(stage);
            Assert.True(code == 0, $"{stage} exited {code}: {error}\n{output}");
            if (stage == "patch-imagestreams")
            {
                Assert.Contains($"{Dc}: version {version + 1} rolled out, scaled to zero: nothing runs", output, StringComparison.Ordinal);
            }
        }

        var image = (string)Get("deploymentconfigs", Dc)["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!;
        Assert.StartsWith("registry.redhat.io/3scale-amp2/apicast-gateway-rhel7@sha256:", image, StringComparison.Ordinal);
        Assert.Equal(0, (int)Get("deploymentconfigs", Dc)["spec"]!["replicas"]!);
        var suite = await VerifyAsync(0);
        var skipped = Case(suite, Dc).Element("skipped");
        Assert.NotNull(skipped);
        Assert.StartsWith($"DeploymentConfig {Dc} is scaled to zero", (string?)skipped.Attribute("message"), StringComparison.Ordinal);
        Assert.Equal("0", (string?)suite.Attribute("failures"));

        var driftJunit = Path.Combine(Dir, "drift.xml");
        var (drift, driftOut, driftErr) = await Ciupgrade("drift", "--junit", driftJunit);
        Assert.True(drift == 0, driftErr + driftOut);
        var driftSuite = XDocument.Load(driftJunit).Root!.Element("testsuite")!;
        Assert.NotNull(Case(driftSuite, $"rollout {Dc}").Element("skipped"));
        Assert.Null(Case(driftSuite, $"image {Dc}").Element("skipped"));
    }

    [Fact]
    public async Task A_dc_the_plan_marks_must_run_is_refused_at_zero_replicas_and_fails_verify()
    {
        var plan = await MustRunPlanAsync();
        ScaleToZero();
        await Cluster.WaitForIdleAsync(Timeout);
        var (preflight, _, preflightErr) = await Ciupgrade("preflight", "--plan", plan);
        Assert.Equal(0, (await Ciupgrade("update-prehook", "--plan", plan)).Code);
        await Cluster.WaitForIdleAsync(Timeout);
        var before = Cluster.Registry.Store.CurrentResourceVersion;
        var (patch, _, patchErr) = await Ciupgrade("patch-imagestreams", "--plan", plan);

        var message = $"DeploymentConfig {Dc} is scaled to zero, but the plan requires it to run (verify mustRun): scale it up with `oc scale dc/{Dc} --replicas=N`";
        Assert.Equal(4, preflight);
        Assert.Contains(message, preflightErr, StringComparison.Ordinal);
        Assert.Equal(4, patch);
        Assert.Contains(message, patchErr, StringComparison.Ordinal);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(before, Cluster.Registry.Store.CurrentResourceVersion);

        Cluster.Registry.Modify("deploymentconfigs", Ns, Dc, dc =>
        {
            dc["spec"]!["replicas"] = 1;
            return dc;
        });
        await Cluster.WaitForIdleAsync(Timeout);
        await UpgradeAsync();
        ScaleToZero();
        await Cluster.WaitForIdleAsync(Timeout);
        var (verify, verifyOut, _) = await Ciupgrade("verify", "--plan", plan, "--junit", Path.Combine(Dir, "verify.xml"));
        Assert.Equal(1, verify);
        Assert.Contains(message, verifyOut, StringComparison.Ordinal);
    }
}
