using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// The Pipelines in tekton/ run as Tekton would run them, against a seeded simulator, with only the rules of the
/// Role shipped in tekton/rbac: the chain they describe must upgrade a 2.6 install and pass verification.
/// </summary>
public sealed class PipelineContractTests : IAsyncLifetime
{
    private const string Ns = "3scale";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-tekton-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedCluster _cluster = null!;

    private static string RoleYaml => File.ReadAllText(Path.Combine(TektonFiles.Root, "rbac", "ciupgrade.yaml"));

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "workspace"));
        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, Seeds = [(Ns, SeedOptions.Default)] });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private PipelineRunner Runner(string roleYaml, string name = "ci")
    {
        var token = _cluster.AddServiceAccountToken(Ns, "ciupgrade", roleYaml);
        return new PipelineRunner(_cluster.WriteKubeconfig(Path.Combine(_dir, name + ".kubeconfig"), token, Ns), Path.Combine(_dir, "workspace"));
    }

    [Fact]
    public async Task Upgrade_pipeline_with_only_the_shipped_role_upgrades_a_26_install_and_passes_verification()
    {
        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.True(run.Status == "Succeeded", string.Join("\n", run.Tasks.Select(t => $"{t.Name}: {t.Status} {t.Error}")));
        Assert.Equal(["preflight", "backup", "patch-imagestreams", "set-release", "verify"], run.Tasks.Where(t => t.Status == "Succeeded").Select(t => t.Name));
        Assert.Equal("None", run.Task("junit-report").Status);
        Assert.Equal("None", run.Task("rollback").Status);
        Assert.Equal(("Succeeded", "16", "0", "1"), (run.Results["verify-status"], run.Results["verify-passed"], run.Results["verify-failed"], run.Results["verify-skipped"]));
        var junit = XDocument.Load(Path.Combine(_dir, "workspace", "verify-junit.xml")).Root!.Element("testsuite")!;
        Assert.Equal("0", (string?)junit.Attribute("failures"));
        var latest = File.ReadAllText(Path.Combine(_dir, "workspace", "backup", Ns, "latest")).Trim();
        Assert.True(File.Exists(Path.Combine(_dir, "workspace", "backup", Ns, latest, "manifest.json")));
        Assert.Equal("2.7", (string?)_cluster.Registry.Get("deploymentconfigs", Ns, "system-app")!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!
            .AsArray().Single(e => (string?)e!["name"] == "AMP_RELEASE")!["value"]);
    }

    [Fact]
    public async Task Drift_check_pipeline_fails_on_an_unupgraded_install_and_leaves_the_junit_report()
    {
        var run = await Runner(RoleYaml).RunAsync("3scale-drift-check", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal(1, run.Task("drift").ExitCode);
        Assert.Equal("Failed", run.Task("drift").Results["status"]);
        Assert.True(File.Exists(Path.Combine(_dir, "workspace", "drift-junit.xml")));
    }

    [Fact]
    public async Task Drift_check_pipeline_passes_after_the_upgrade_pipeline()
    {
        var runner = Runner(RoleYaml);
        Assert.Equal("Succeeded", (await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout)).Status);

        var run = await runner.RunAsync("3scale-drift-check", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.True(run.Status == "Succeeded", run.Task("drift").Error + run.Task("drift").Output);
        Assert.Equal(("Succeeded", "0"), (run.Results["drift-status"], run.Results["drift-failed"]));
    }

    [Fact]
    public async Task A_failed_task_skips_the_rest_and_finally_still_writes_the_junit_report()
    {
        _cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7");

        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal(4, run.Task("patch-imagestreams").ExitCode);
        Assert.Equal(["None", "None"], new[] { run.Task("set-release").Status, run.Task("verify").Status });
        Assert.Equal("Failed", run.Task("junit-report").Status);
        Assert.True(File.Exists(Path.Combine(_dir, "workspace", "verify-junit.xml")));
        Assert.Empty(run.Results);
    }

    [Fact]
    public async Task A_target_version_the_plan_does_not_have_skips_the_upgrade_stages()
    {
        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns, ["target-version"] = "2.8" }, Timeout);

        Assert.Equal(["None", "None", "None"], new[] { "backup", "patch-imagestreams", "set-release" }.Select(t => run.Task(t).Status));
        Assert.Equal(1, run.Task("verify").ExitCode);
    }

    [Fact]
    public async Task Rollback_on_failure_restores_the_backup_in_finally()
    {
        var before = _cluster.Registry.List("deploymentconfigs", Ns).Items
            .ToDictionary(d => (string)d["metadata"]!["name"]!, d => d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString());
        _cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");

        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade",
            new Dictionary<string, string> { ["namespace"] = Ns, ["rollback-on-failure"] = "true" }, Timeout);
        await _cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(4, run.Task("patch-imagestreams").ExitCode);
        Assert.True(run.Task("rollback").Status == "Succeeded", run.Task("rollback").Error);
        var after = _cluster.Registry.List("deploymentconfigs", Ns).Items
            .ToDictionary(d => (string)d["metadata"]!["name"]!, d => d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString());
        Assert.Equal(before, after);
    }
}
