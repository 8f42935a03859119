using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CiUpgrade.Cli;
using CiUpgrade.Rules;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// 3scale-fleet-upgrade as Tekton runs it: a pipeline cluster holding four installs' target Secrets (made as tekton/README
/// says: tekton/target/ applied, then target-kubeconfig for the ciupgrade account; projected into the
/// targets workspace), four OpenShift 3.11 clusters with a 2.6 install each, in two waves of two. Each wave's matrix runs
/// every install's whole chain (ciupgrade-upgrade-install); the next wave starts only when all of them passed verify, and
/// the finally report names every install that was not upgraded.
/// </summary>
public sealed partial class FleetUpgradeTests : IAsyncLifetime
{
    private const string Ns = "3scale";
    private const string PipelineNs = "ciupgrade";
    private static readonly string[] Installs = ["dev-a", "dev-b", "prod-a", "prod-b"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-fleet-upgrade-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, SimulatedCluster> _targets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private SimulatedCluster _pipelineCluster = null!;

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(15)).Token;

    private const string Upgrader = $"system:serviceaccount:{Ns}:ciupgrade";

    private static string Wave1 => """["dev-a:ciupgrade-target-dev-a:3scale", "dev-b:ciupgrade-target-dev-b:3scale"]""";

    private static string Wave2 => """["prod-a:ciupgrade-target-prod-a:3scale", "prod-b:ciupgrade-target-prod-b:3scale"]""";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "workspace"));
        _pipelineCluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, ServerVersion = ServerVersion.OpenShift4 });
        _pipelineCluster.Registry.Create("namespaces", string.Empty, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = PipelineNs } });
        foreach (var install in Installs)
        {
            var target = await SimulatedCluster.StartAsync(new SimulatedClusterOptions
            {
                Timing = ControllerTiming.Fast, ServerVersion = ServerVersion.OpenShift311, Seeds = [(Ns, SeedOptions.Default)],
            });
            _targets[install] = target;
            await AddTargetAsync(install, target);
        }
    }

    /// <summary>
    /// What tekton/README.md tells a target's admin to do: apply tekton/target/ in the 3scale namespace, turn the
    /// ciupgrade account's token into a kubeconfig with target-kubeconfig, store it as the install's Secret on the
    /// pipeline cluster.
    /// </summary>
    private async Task AddTargetAsync(string install, SimulatedCluster target)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TektonFiles.Root, "target"), "*.yaml"))
        {
            foreach (var doc in YamlJson.ParseAll(File.ReadAllText(file)).OfType<JsonObject>())
            {
                target.Registry.Create((string)doc["kind"]! switch { "ServiceAccount" => "serviceaccounts", "Role" => "roles", _ => "rolebindings" }, Ns, doc);
            }
        }

        // The 3.11 token controller fills the account's token Secret.
        await target.WaitForIdleAsync(Timeout);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var admin = target.WriteKubeconfig(Path.Combine(_dir, install + "-admin.kubeconfig"), ns: Ns);
        var code = await CliApp.RunAsync(["target-kubeconfig", "-n", Ns, "--service-account", "ciupgrade", "--kubeconfig", admin], stdout, stderr, Timeout);
        Assert.True(code == 0, stderr.ToString());
        var kubeconfig = stdout.ToString();
        _tokens[install] = TokenLine().Match(kubeconfig).Groups["token"].Value;
        Assert.NotEmpty(_tokens[install]);
        _pipelineCluster.Registry.Create("secrets", PipelineNs, WorkspaceVolumes.Secret("ciupgrade-target-" + install, new Dictionary<string, string> { ["kubeconfig"] = kubeconfig }));
    }

    public async Task DisposeAsync()
    {
        await _pipelineCluster.DisposeAsync();
        foreach (var target in _targets.Values)
        {
            await target.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The run as tekton/runs/3scale-fleet-upgrade.yaml binds it: the targets workspace a projected volume of the Secrets.</summary>
    private PipelineRunner Runner()
    {
        var projected = new JsonObject
        {
            ["projected"] = new JsonObject
            {
                ["sources"] = new JsonArray(Installs.Select(i => (JsonNode)new JsonObject
                {
                    ["secret"] = new JsonObject
                    {
                        ["name"] = "ciupgrade-target-" + i,
                        ["items"] = new JsonArray(new JsonObject { ["key"] = "kubeconfig", ["path"] = $"ciupgrade-target-{i}/kubeconfig" }),
                    },
                }).ToArray()),
            },
        };
        var targets = WorkspaceVolumes.Mount(projected, _pipelineCluster.Registry, PipelineNs, Path.Combine(_dir, "targets"));
        // The PipelineRun's own ServiceAccount may do nothing: every install is reached through its Secret.
        var podToken = _pipelineCluster.AddServiceAccountToken(PipelineNs, "ciupgrade", $"kind: Role\nmetadata:\n  namespace: {PipelineNs}\nrules: []\n");
        return new PipelineRunner(_pipelineCluster.WriteKubeconfig(Path.Combine(_dir, "pod.kubeconfig"), podToken, PipelineNs), Path.Combine(_dir, "workspace"),
            new Dictionary<string, string> { ["targets"] = targets, ["backups"] = Path.Combine(_dir, "backups") });
    }

    /// <summary>
    /// The release system-app runs with, as set-release sets it on the DC; null while the 2.6 install still reads it from
    /// its ConfigMap.
    /// </summary>
    private string? Release(string install) => _targets[install].Registry.Get("deploymentconfigs", Ns, "system-app")!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!
        .AsArray().Single(e => (string?)e!["name"] == "AMP_RELEASE")!["value"]?.GetValue<string>();

    private XElement Suite(string install) =>
        XDocument.Load(Path.Combine(_dir, "workspace", "fleet-upgrade-junit.xml")).Root!.Elements("testsuite").Single(s => (string?)s.Attribute("name") == install);

    [Fact]
    public async Task A_green_fleet_upgrades_and_verifies_every_install_wave_by_wave()
    {
        var run = await Runner().RunAsync("3scale-fleet-upgrade", new Dictionary<string, string> { ["wave-1"] = Wave1, ["wave-2"] = Wave2 }, Timeout);

        Assert.True(run.Status == "Succeeded", run.Describe());
        Assert.Equal(["Succeeded", "Succeeded", "None"], new[] { "wave-1", "wave-2", "wave-3" }.Select(w => run.Task(w).Status));
        Assert.All(new[] { "wave-1[0]", "wave-1[1]", "wave-2[0]", "wave-2[1]" }, n => Assert.Equal(("Succeeded", 0), (run.Task(n).Status, run.Task(n).ExitCode ?? -1)));
        Assert.Equal(("Succeeded", "4"), (run.Results["status"], run.Results["installs"]));
        foreach (var install in Installs)
        {
            Assert.Equal("2.7", Release(install));
            // Its chain ran on its own cluster as its own account, and its verify report passed.
            Assert.Contains(_targets[install].Requests, r => r.User == Upgrader && r.Method == "PATCH");
            Assert.All(XDocument.Load(Path.Combine(_dir, "workspace", "upgrade", install + ".xml")).Descendants("testsuite"), s => Assert.Equal("0", (string?)s.Attribute("failures")));
            Assert.Equal(("0", "0"), ((string?)Suite(install).Attribute("failures"), (string?)Suite(install).Attribute("errors")));
            // Its backup is its own, under its name, stamped with this run.
            var manifest = Directory.GetFiles(Path.Combine(_dir, "backups", "backup", install), "manifest.json", SearchOption.AllDirectories);
            Assert.Contains(run.Uid, File.ReadAllText(Assert.Single(manifest)), StringComparison.Ordinal);
        }

        Assert.All(run.Tasks, t => Assert.All(_tokens.Values, token => Assert.DoesNotContain(token, t.Output + t.Error, StringComparison.Ordinal)));
        Assert.Contains("Nothing: every install was upgraded and passed verify.", File.ReadAllText(Path.Combine(_dir, "workspace", "fleet-upgrade-report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_install_of_wave_1_that_fails_stops_the_fleet_before_wave_2_and_the_run_names_it()
    {
        // dev-a's amp-system image cannot be imported: its patch-imagestreams step fails (exit 4), after its backup.
        _targets["dev-a"].ControllerFaults.FailImport("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7");

        var run = await Runner().RunAsync("3scale-fleet-upgrade", new Dictionary<string, string> { ["wave-1"] = Wave1, ["wave-2"] = Wave2 }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal(("Failed", "patch-imagestreams", 4), (run.Task("wave-1[0]").Status, run.Task("wave-1[0]").FailedStep, run.Task("wave-1[0]").ExitCode ?? -1));
        // The wave's other install ran its chain to the end, as Tekton lets a matrix's other TaskRuns finish.
        Assert.Equal("Succeeded", run.Task("wave-1[1]").Status);
        Assert.Equal("2.7", Release("dev-b"));
        Assert.NotEqual("2.7", Release("dev-a"));
        // Wave 2 never started: its clusters were not asked anything by the pipeline's account (only by their admin, above).
        Assert.Equal(["Failed", "None", "None"], new[] { "wave-1", "wave-2", "wave-3" }.Select(w => run.Task(w).Status));
        Assert.All(new[] { "prod-a", "prod-b" }, install =>
        {
            Assert.DoesNotContain(_targets[install].Requests, r => r.User == Upgrader);
            Assert.NotEqual("2.7", Release(install));
        });

        var report = run.Task("report");
        Assert.Equal(("Failed", 1), (report.Status, report.ExitCode ?? -1));
        Assert.Contains("3 not upgraded: dev-a (wave-1) failed; prod-a, prod-b not started", report.Output, StringComparison.Ordinal);
        Assert.Contains("failed before verify", (string?)Suite("dev-a").Element("testcase")?.Element("error")?.Attribute("message") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(("0", "0"), ((string?)Suite("dev-b").Attribute("failures"), (string?)Suite("dev-b").Attribute("errors")));
        Assert.All(new[] { "prod-a", "prod-b" }, install =>
            Assert.StartsWith("not started: wave-2 never ran", (string?)Suite(install).Element("testcase")?.Element("error")?.Attribute("message") ?? string.Empty, StringComparison.Ordinal));
        Assert.Empty(run.Results);

        // The page, as a browser renders it: every install with its wave, and why each one was not upgraded.
        var html = Path.Combine(_dir, "workspace", "fleet-upgrade-report.html");
        Assert.DoesNotMatch("(?i)<script|<link|src=|url\\(", await File.ReadAllTextAsync(html));
        var dom = WebUtility.HtmlDecode(await HeadlessChromium.RunAsync(html, _dir, Timeout, "--dump-dom"));
        Assert.All(Installs, install => Assert.Contains($"id=\"install-{install}\"", dom, StringComparison.Ordinal));
        Assert.Contains(FleetWaves.MissingReport(new FleetWave("wave-1", "Failed", ["dev-a", "dev-b"])), dom, StringComparison.Ordinal);
        Assert.Contains(FleetWaves.MissingReport(new FleetWave("wave-2", FleetWaves.NotRun, ["prod-a", "prod-b"])), dom, StringComparison.Ordinal);
        Assert.Contains("3 not upgraded", dom, StringComparison.Ordinal);
        var screenshot = HeadlessChromium.ScreenshotPath("fleet-upgrade-report.png");
        await HeadlessChromium.RunAsync(html, _dir, Timeout, $"--screenshot={screenshot}", "--window-size=1600,1000");
        Assert.True(new FileInfo(screenshot).Length > 0);
    }

    [GeneratedRegex("token: \"(?<token>[^\"]+)\"")]
    private static partial Regex TokenLine();
}
