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

    private string Backups => Path.Combine(_dir, "backups");

    /// <summary>The config workspace: what a bound ciupgrade-config ConfigMap shows, one file per key.</summary>
    private string Config => Path.Combine(_dir, "config");

    private static string RoleYaml => File.ReadAllText(Path.Combine(TektonFiles.Root, "rbac", "ciupgrade.yaml"));

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "workspace"));
        Directory.CreateDirectory(Backups);
        Directory.CreateDirectory(Config);
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
        return new PipelineRunner(_cluster.WriteKubeconfig(Path.Combine(_dir, name + ".kubeconfig"), token, Ns), Path.Combine(_dir, "workspace"),
            new Dictionary<string, string> { ["backups"] = Backups, ["config"] = Config });
    }

    [Fact]
    public async Task Upgrade_pipeline_with_only_the_shipped_role_upgrades_a_26_install_and_passes_verification()
    {
        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.True(run.Status == "Succeeded", string.Join("\n", run.Tasks.Select(t => $"{t.Name}: {t.Status} {t.Error}")));
        Assert.Equal(["preflight", "backup", "update-prehook", "patch-imagestreams", "set-release", "verify", "gate"], run.Tasks.Where(t => t.Status == "Succeeded").Select(t => t.Name));
        Assert.Equal(0, run.Task("verify").ExitCode);
        Assert.Equal("None", run.Task("junit-report").Status);
        Assert.Equal("None", run.Task("rollback").Status);
        Assert.Equal(("Succeeded", "17", "0", "1"), (run.Results["verify-status"], run.Results["verify-passed"], run.Results["verify-failed"], run.Results["verify-skipped"]));
        var hookRun = Assert.Single(_cluster.HookRuns, r => r.ReplicationController == "system-app-2");
        Assert.Contains("services:create_backend_apis", hookRun.Command[^1], StringComparison.Ordinal);
        var junit = XDocument.Load(Path.Combine(_dir, "workspace", "verify-junit.xml")).Root!.Element("testsuite")!;
        Assert.Equal("0", (string?)junit.Attribute("failures"));
        // The backup lives on the persistent volume, in a directory of its own, and names this run.
        var latest = File.ReadAllText(Path.Combine(Backups, "backup", Ns, "latest")).Trim();
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Backups, "backup", Ns, latest, "manifest.json")))!;
        Assert.Equal(run.Uid, (string?)manifest["runId"]);
        Assert.Equal("2.7", (string?)_cluster.Registry.Get("deploymentconfigs", Ns, "system-app")!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!
            .AsArray().Single(e => (string?)e!["name"] == "AMP_RELEASE")!["value"]);
    }

    [Fact]
    public async Task Drift_check_pipeline_fails_on_an_unupgraded_install_and_leaves_the_junit_report()
    {
        var run = await Runner(RoleYaml).RunAsync("3scale-drift-check", new Dictionary<string, string> { ["targets"] = """["3scale::3scale"]""" }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal(1, run.Task("drift[0]").ExitCode);
        Assert.Equal("Failed", run.Task("drift[0]").Results["status"]);
        Assert.True(File.Exists(Path.Combine(_dir, "workspace", "drift", "3scale.xml")));
        Assert.Equal(("Failed", "1"), (run.Results["drift-status"], run.Results["drifted"]));
        Assert.True(File.Exists(Path.Combine(_dir, "workspace", "fleet-drift-report.html")));
    }

    [Fact]
    public async Task Drift_check_pipeline_passes_after_the_upgrade_pipeline()
    {
        var runner = Runner(RoleYaml);
        Assert.Equal("Succeeded", (await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout)).Status);

        var run = await runner.RunAsync("3scale-drift-check", new Dictionary<string, string> { ["targets"] = """["3scale::3scale"]""" }, Timeout);

        Assert.True(run.Status == "Succeeded", run.Task("drift").Error + run.Task("drift").Output);
        Assert.Equal(("Succeeded", "0"), (run.Results["drift-status"], run.Results["drifted"]));
    }

    [Fact]
    public async Task Drift_check_pipeline_compares_with_a_baseline_from_the_config_workspace()
    {
        var runner = Runner(RoleYaml);
        Assert.Equal("Succeeded", (await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout)).Status);
        var token = _cluster.AddServiceAccountToken(Ns, "ciupgrade", RoleYaml);
        var kubeconfig = _cluster.WriteKubeconfig(Path.Combine(_dir, "baseline.kubeconfig"), token, Ns);
        Assert.Equal(0, await CiUpgrade.Cli.CliApp.RunAsync(["verify", "--junit", Path.Combine(_dir, "baseline-junit.xml"),
            "--write-baseline", Path.Combine(Config, "baseline.json"), "--kubeconfig", kubeconfig], TextWriter.Null, TextWriter.Null, Timeout));

        var run = await runner.RunAsync("3scale-drift-check", new Dictionary<string, string> { ["targets"] = """["3scale::3scale"]""", ["baseline"] = "baseline.json" }, Timeout);

        Assert.True(run.Status == "Succeeded", run.Describe());
        Assert.Contains(Config, run.Task("drift[0]").Args);
        var junit = XDocument.Load(Path.Combine(_dir, "workspace", "drift", "3scale.xml"));
        Assert.Contains(junit.Descendants("testcase"), t => ((string?)t.Attribute("name"))?.StartsWith("baseline ", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_failed_task_skips_the_rest_and_finally_still_writes_the_junit_report()
    {
        _cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7");

        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal(4, run.Task("patch-imagestreams").ExitCode);
        Assert.Equal(["None", "None"], new[] { run.Task("set-release").Status, run.Task("verify").Status });
        // The report's verify step fails (exit 1), but with onError: continue its TaskRun succeeds; the run failed already.
        Assert.Equal((1, "Succeeded"), (run.Task("junit-report").ExitCode, run.Task("junit-report").Status));
        Assert.Equal("None", run.Task("gate").Status);
        Assert.True(File.Exists(Path.Combine(_dir, "workspace", "verify-junit.xml")));
        Assert.Empty(run.Results);
    }

    [Fact]
    public async Task A_target_version_the_plan_does_not_have_fails_preflight_and_the_run()
    {
        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade",
            new Dictionary<string, string> { ["namespace"] = Ns, ["target-version"] = "2.8", ["rollback-on-failure"] = "true" }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal(4, run.Task("preflight").ExitCode);
        Assert.Contains("--target-version is 2.8, but the built-in plan upgrades 2.6 to 2.7", run.Task("preflight").Error, StringComparison.Ordinal);
        Assert.Equal(["None", "None", "None", "None", "None", "None"],
            new[] { "backup", "patch-imagestreams", "set-release", "verify", "gate", "rollback" }.Select(t => run.Task(t).Status));
        Assert.Empty(run.Results);
    }

    [Fact]
    public async Task No_run_ends_succeeded_without_verify_judging_the_plans_target()
    {
        // Every way the webhook can ask: the plan's target, another, or already upgraded. A Succeeded run always had
        // verify (and the gate) pass on this install after the upgrade tasks ran.
        var runner = Runner(RoleYaml);
        foreach (var target in new[] { "2.8", "2.7", "2.6", "2.7" })
        {
            var run = await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns, ["target-version"] = target }, Timeout);

            Assert.True((target == "2.7" ? "Succeeded" : "Failed") == run.Status,
                $"target {target}: " + run.Describe());
            if (run.Status == "Succeeded")
            {
                Assert.All(new[] { "preflight", "backup", "patch-imagestreams", "set-release", "verify", "gate" }, t => Assert.Equal("Succeeded", run.Task(t).Status));
                Assert.Equal(("Succeeded", "0"), (run.Results["verify-status"], run.Results["verify-failed"]));
            }
        }
    }

    [Fact]
    public async Task A_failed_gate_fails_the_run_with_verify_status_failed_and_the_counts_in_the_pipeline_results()
    {
        // The upgrade itself goes through; verify then expects apicast-production from another repository, as a plan
        // would after a registry move: one failed check.
        // The plan comes from the config workspace (a ConfigMap key), named by the plan param alone.
        var plan = Path.Combine(Config, "plan.yaml");
        var text = await ReadEmbeddedPlanAsync();
        var entry = "  - deploymentConfig: apicast-production\n    repository: registry.redhat.io/3scale-amp2/apicast-gateway-rhel7";
        Assert.Contains(entry, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(plan, text.Replace(entry, "  - deploymentConfig: apicast-production\n    repository: registry.example.com/elsewhere/apicast", StringComparison.Ordinal));

        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade",
            new Dictionary<string, string> { ["namespace"] = Ns, ["plan"] = "plan.yaml", ["rollback-on-failure"] = "true" }, Timeout);

        Assert.True((1, "Succeeded") == (run.Task("verify").ExitCode, run.Task("verify").Status), run.Describe());
        Assert.Equal("Failed", run.Status);
        Assert.Null(run.Reason);
        Assert.Equal((1, "Failed"), (run.Task("gate").ExitCode, run.Task("gate").Status));
        Assert.Contains("verification failed: 16 passed, 1 failed, 1 skipped", run.Task("gate").Error, StringComparison.Ordinal);
        Assert.Equal(("Failed", "16", "1", "1"), (run.Results["verify-status"], run.Results["verify-passed"], run.Results["verify-failed"], run.Results["verify-skipped"]));
        // verify ran: the mutating tasks all succeeded, so there is nothing of this run to undo.
        Assert.Equal(["None", "None"], new[] { run.Task("rollback").Status, run.Task("junit-report").Status });
        var junit = XDocument.Load(Path.Combine(_dir, "workspace", "verify-junit.xml")).Root!.Element("testsuite")!;
        Assert.Equal("1", (string?)junit.Attribute("failures"));
    }

    [Fact]
    public async Task A_verify_that_writes_no_results_fails_the_run_on_the_missing_result_reference()
    {
        // verify cannot write its JUnit report (a directory is in the way), so it exits 2 before writing results;
        // with onError: continue its TaskRun succeeds without them, and Tekton fails the run instead of running the gate.
        Directory.CreateDirectory(Path.Combine(_dir, "workspace", "verify-junit.xml"));

        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.True((2, "Succeeded") == (run.Task("verify").ExitCode, run.Task("verify").Status), run.Describe());
        Assert.Equal("Failed", run.Status);
        Assert.StartsWith("InvalidTaskResultReference: $(tasks.verify.results.status)", run.Reason, StringComparison.Ordinal);
        Assert.Equal("None", run.Task("gate").Status);
        Assert.Empty(run.Results);
    }

    private static async Task<string> ReadEmbeddedPlanAsync()
    {
        await using var stream = typeof(CiUpgrade.Plans.PlanLoader).Assembly.GetManifestResourceStream($"CiUpgrade.Plans.{CiUpgrade.Plans.PlanLoader.EmbeddedPlanName}")!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Rollback_on_failure_restores_the_backup_in_finally()
    {
        var before = Images();
        _cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");

        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade",
            new Dictionary<string, string> { ["namespace"] = Ns, ["rollback-on-failure"] = "true" }, Timeout);
        await _cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(4, run.Task("patch-imagestreams").ExitCode);
        Assert.True(run.Task("rollback").Status == "Succeeded", run.Task("rollback").Error);
        var args = run.Task("rollback").Args;
        Assert.Equal([Path.Combine(Backups, "backup"), run.Uid], new[] { args[Array.IndexOf(args, "--backup-dir") + 1], args[Array.IndexOf(args, "--run-id") + 1] });
        // amp-system rolled system-app (its hook ran the 2.7 migration) before zync's import failed, and this run's
        // backup took the databases (backup-databases defaults to "true"): the data goes back too, and the log says so.
        Assert.Contains("--restore-data=true", args);
        Assert.Contains("data restore: the 2.7 migration has run", run.Task("rollback").Output, StringComparison.Ordinal);
        Assert.Equal(before, Images());
    }

    [Fact]
    public async Task A_run_failing_after_the_migration_without_dumps_ends_failed_with_the_rollbacks_one_line()
    {
        _cluster.ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7");

        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade",
            new Dictionary<string, string> { ["namespace"] = Ns, ["rollback-on-failure"] = "true", ["backup-databases"] = "false" }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal(4, run.Task("patch-imagestreams").ExitCode);
        Assert.Equal(("Failed", 4), (run.Task("rollback").Status, run.Task("rollback").ExitCode));
        Assert.Contains("--restore-data=false", run.Task("rollback").Args);
        var line = run.Task("rollback").Error;
        Assert.Contains("the 2.7 migration has run on the system database", line, StringComparison.Ordinal);
        Assert.Contains("the install is left as the upgrade left it", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_preflight_failure_never_rolls_back_to_an_earlier_runs_backup()
    {
        // The review's proof (D10): run 1 upgrades and leaves its 2.6 backup on the persistent volume; run 2 fails in
        // preflight with rollback-on-failure. Nothing of run 2 is to undo: the install stays on 2.7.
        var runner = Runner(RoleYaml);
        Assert.Equal("Succeeded", (await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout)).Status);
        var upgraded = Images();

        var run = await runner.RunAsync("3scale-upgrade",
            new Dictionary<string, string> { ["namespace"] = Ns, ["target-version"] = "2.8", ["rollback-on-failure"] = "true" }, Timeout);

        Assert.Equal(("Failed", "None", "None"), (run.Status, run.Task("backup").Status, run.Task("rollback").Status));
        Assert.Equal(upgraded, Images());
    }

    [Fact]
    public async Task Rollback_refuses_a_backup_another_run_took_and_changes_nothing()
    {
        var runner = Runner(RoleYaml);
        var first = await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);
        Assert.True(first.Status == "Succeeded", first.Describe());
        var upgraded = Images();
        var token = _cluster.AddServiceAccountToken(Ns, "ciupgrade", RoleYaml);
        var kubeconfig = _cluster.WriteKubeconfig(Path.Combine(_dir, "cli.kubeconfig"), token, Ns);
        var root = Path.Combine(Backups, "backup");
        var one = Path.Combine(root, Ns, File.ReadAllText(Path.Combine(root, Ns, "latest")).Trim());

        // Asked for another run's backup among all of them, or handed the first run's backup directly.
        foreach (var (dir, expected) in new[]
        {
            (root, $"no pre-upgrade backup of run another-run among the 1 backups of namespace {Ns} under {root}"),
            (one, $"{one} holds the backup of run {first.Uid}, not of run another-run"),
        })
        {
            using var stderr = new StringWriter();
            var code = await CiUpgrade.Cli.CliApp.RunAsync(["rollback", "--backup-dir", dir, "--run-id", "another-run", "--kubeconfig", kubeconfig], TextWriter.Null, stderr, Timeout);

            Assert.Equal(2, code);
            Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
            Assert.Contains("nothing was changed", stderr.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(upgraded, Images());
    }

    private Dictionary<string, string> Images() => _cluster.Registry.List("deploymentconfigs", Ns).Items
        .ToDictionary(d => (string)d["metadata"]!["name"]!, d => d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString());
}
