using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.Cli;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// The fleet drift check as Tekton runs it: a pipeline cluster holding the installs' read-only target Secrets
/// (projected into the targets workspace), two 3.11 target clusters (one upgraded, one left on 2.6), and a third target
/// whose Secret is missing; the matrix fans the drift Task out per install and the report task aggregates them. The
/// HTML page is opened in headless Chromium, whose rendered DOM must name every install and every failure.
/// </summary>
public sealed class FleetDriftTests : IAsyncLifetime
{
    private const string Ns = "3scale";
    private const string PipelineNs = "ciupgrade";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-fleet-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedCluster _pipelineCluster = null!;
    private SimulatedCluster _upgraded = null!;
    private SimulatedCluster _behind = null!;

    private const string FleetReportNoReport = CiUpgrade.Rules.FleetReport.NoReport;

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "workspace"));
        _pipelineCluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, ServerVersion = ServerVersion.OpenShift4 });
        _upgraded = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, Seeds = [(Ns, SeedOptions.Default)] });
        _behind = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, Seeds = [(Ns, SeedOptions.Default)] });
    }

    public async Task DisposeAsync()
    {
        await _pipelineCluster.DisposeAsync();
        await _upgraded.DisposeAsync();
        await _behind.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<(int Code, string Out, string Err)> Ciupgrade(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Timeout);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>tekton/target/ applied by the target's admin, then its read-only kubeconfig as a Secret on the pipeline cluster.</summary>
    private async Task AddTargetAsync(SimulatedCluster target, string secretName)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TektonFiles.Root, "target"), "*.yaml"))
        {
            foreach (var doc in YamlJson.ParseAll(File.ReadAllText(file)).OfType<JsonObject>())
            {
                target.Registry.Create((string)doc["kind"]! switch { "ServiceAccount" => "serviceaccounts", "Role" => "roles", _ => "rolebindings" }, Ns, doc);
            }
        }

        await target.WaitForIdleAsync(Timeout);
        var admin = target.WriteKubeconfig(Path.Combine(_dir, secretName + "-admin.kubeconfig"), ns: Ns);
        var (code, kubeconfig, error) = await Ciupgrade("target-kubeconfig", "-n", Ns, "--service-account", "ciupgrade-read", "--kubeconfig", admin);
        Assert.True(code == 0, error);
        _pipelineCluster.Registry.Create("secrets", PipelineNs, WorkspaceVolumes.Secret(secretName, new Dictionary<string, string> { ["kubeconfig"] = kubeconfig }));
    }

    [Fact]
    public async Task The_matrix_checks_every_install_and_the_report_names_each_drift_and_each_install_without_a_report()
    {
        _pipelineCluster.Registry.Create("namespaces", string.Empty, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = PipelineNs } });
        var admin = _upgraded.WriteKubeconfig(Path.Combine(_dir, "upgraded-admin.kubeconfig"), ns: Ns);
        foreach (var stage in new[] { "preflight", "update-prehook", "patch-imagestreams", "set-release" })
        {
            var (code, _, error) = await Ciupgrade(stage, "--kubeconfig", admin);
            Assert.True(code == 0, $"{stage}: {error}");
        }

        await AddTargetAsync(_upgraded, "ciupgrade-target-prod");
        await AddTargetAsync(_behind, "ciupgrade-target-staging");
        // The run binds the targets workspace to a projected volume of the two Secrets; the third entry's is missing.
        var projected = JsonNode.Parse("""
            {"projected": {"sources": [
              {"secret": {"name": "ciupgrade-target-prod", "items": [{"key": "kubeconfig", "path": "ciupgrade-target-prod/kubeconfig"}]}},
              {"secret": {"name": "ciupgrade-target-staging", "items": [{"key": "kubeconfig", "path": "ciupgrade-target-staging/kubeconfig"}]}}]}}
            """)!.AsObject();
        var targets = WorkspaceVolumes.Mount(projected, _pipelineCluster.Registry, PipelineNs, Path.Combine(_dir, "targets"));
        var podToken = _pipelineCluster.AddServiceAccountToken(PipelineNs, "pipeline", $"kind: Role\nmetadata:\n  namespace: {PipelineNs}\nrules: []\n");
        var reports = Path.Combine(_dir, "workspace");
        var runner = new PipelineRunner(_pipelineCluster.WriteKubeconfig(Path.Combine(_dir, "pod.kubeconfig"), podToken, PipelineNs), reports,
            new Dictionary<string, string> { ["targets"] = targets });

        var run = await runner.RunAsync("3scale-drift-check", new Dictionary<string, string>
        {
            ["targets"] = """["prod:ciupgrade-target-prod:3scale", "staging:ciupgrade-target-staging:3scale", "dr:ciupgrade-target-dr:3scale"]""",
        }, Timeout);

        Assert.Equal("Failed", run.Status);
        Assert.Equal([("Succeeded", 0), ("Failed", 1), ("Failed", 2)], new[] { "drift[0]", "drift[1]", "drift[2]" }.Select(n => (run.Task(n).Status, run.Task(n).ExitCode ?? -1)));
        Assert.Equal("Succeeded", run.Task("report").Status);
        Assert.Equal(("Failed", "2"), (run.Results["drift-status"], run.Results["drifted"]));
        var fleet = XDocument.Load(Path.Combine(reports, "fleet-drift-junit.xml"));
        var suites = fleet.Root!.Elements("testsuite").ToList();
        Assert.Equal(["prod", "staging", "dr"], suites.Select(s => (string?)s.Attribute("name")));
        Assert.Equal("0", (string?)suites[0].Attribute("failures"));
        Assert.NotEqual("0", (string?)suites[1].Attribute("failures"));
        Assert.Equal("1", (string?)suites[2].Attribute("errors"));

        // The page, rendered by a browser: every install and every failure's sentence is on it.
        var html = Path.Combine(reports, "fleet-drift-report.html");
        Assert.DoesNotMatch("(?i)<script|<link|src=|url\\(", await File.ReadAllTextAsync(html));
        var dom = WebUtility.HtmlDecode(await ChromiumAsync(html, "--dump-dom"));
        foreach (var name in new[] { "prod", "staging", "dr" })
        {
            Assert.Contains($"id=\"install-{name}\"", dom, StringComparison.Ordinal);
        }

        var failures = suites[1].Descendants("failure").Select(f => (string)f.Attribute("message")!).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, message => Assert.Contains(message, dom, StringComparison.Ordinal));
        Assert.Contains(FleetReportNoReport, dom, StringComparison.Ordinal);
        var screenshot = HeadlessChromium.ScreenshotPath("fleet-drift-report.png");
        await ChromiumAsync(html, $"--screenshot={screenshot}", "--window-size=1600,1000");
        Assert.True(new FileInfo(screenshot).Length > 0);
    }

    private Task<string> ChromiumAsync(string page, params string[] action) => HeadlessChromium.RunAsync(page, _dir, Timeout, action);
}
