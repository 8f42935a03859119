using System.Text.Json.Nodes;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// The second topology: Tekton on a pipeline cluster (OpenShift 4) upgrading a 3scale install on an OpenShift 3.11
/// cluster, which it reaches only through the target Secret bound as the target workspace. Two simulated clusters: the
/// pipeline cluster holds the Secret (mounted as the kubelet would) and the PipelineRun's ServiceAccount; the target
/// cluster holds the install and the ServiceAccount the kubeconfig names.
/// </summary>
public sealed class TargetPipelineTests : IAsyncLifetime
{
    private const string Ns = "3scale";
    private const string PipelineNs = "ciupgrade";
    private const string PipelineUser = $"system:serviceaccount:{PipelineNs}:pipeline";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-tekton-target-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedCluster _pipelineCluster = null!;
    private SimulatedCluster _target = null!;

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    private static string UpgradeRole => File.ReadAllText(Path.Combine(TektonFiles.Root, "rbac", "ciupgrade.yaml"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "workspace"));
        // The pipeline cluster has a 3scale install of its own: the run must not touch it.
        _pipelineCluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions
        {
            Timing = ControllerTiming.Fast, ServerVersion = ServerVersion.OpenShift4, Seeds = [(Ns, SeedOptions.Default)],
        });
        _target = await SimulatedCluster.StartAsync(new SimulatedClusterOptions
        {
            Timing = ControllerTiming.Fast, ServerVersion = ServerVersion.OpenShift311, Seeds = [(Ns, SeedOptions.Default)],
        });
    }

    public async Task DisposeAsync()
    {
        await _pipelineCluster.DisposeAsync();
        await _target.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The target Secret on the pipeline cluster (keys kubeconfig and context), mounted as the run binds it.</summary>
    private string MountTargetSecret(string token, string secretName = "ciupgrade-target-prod")
    {
        var kubeconfig = File.ReadAllText(_target.WriteKubeconfig(Path.Combine(_dir, secretName + ".kubeconfig"), token, Ns));
        _pipelineCluster.Registry.Create("secrets", PipelineNs, WorkspaceVolumes.Secret(secretName, new Dictionary<string, string>
        {
            ["kubeconfig"] = kubeconfig,
            ["context"] = "simulated",
        }));
        var binding = new JsonObject { ["secret"] = new JsonObject { ["secretName"] = secretName } };
        return WorkspaceVolumes.Mount(binding, _pipelineCluster.Registry, PipelineNs, Path.Combine(_dir, "mounts", secretName));
    }

    /// <summary>The PipelineRun's own ServiceAccount on the pipeline cluster: it may do nothing in the 3scale namespace there.</summary>
    private PipelineRunner Runner(string targetDir)
    {
        var podToken = _pipelineCluster.AddServiceAccountToken(PipelineNs, "pipeline", $"kind: Role\nmetadata:\n  namespace: {PipelineNs}\nrules: []\n");
        return new PipelineRunner(_pipelineCluster.WriteKubeconfig(Path.Combine(_dir, "pod.kubeconfig"), podToken, PipelineNs), Path.Combine(_dir, "workspace"),
            new Dictionary<string, string> { ["backups"] = Path.Combine(_dir, "backups"), ["target"] = targetDir });
    }

    [Fact]
    public async Task Upgrade_pipeline_upgrades_a_311_install_on_another_cluster_through_the_target_workspace_and_never_prints_its_token()
    {
        var token = _target.AddServiceAccountToken(Ns, "ciupgrade", UpgradeRole);
        var targetDir = MountTargetSecret(token);

        var run = await Runner(targetDir).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.True(run.Status == "Succeeded", run.Describe());
        Assert.Equal(("Succeeded", "0"), (run.Results["verify-status"], run.Results["verify-failed"]));
        Assert.All(run.Tasks.Where(t => t.Status != "None" && t.Name != "gate"), t => Assert.Contains(targetDir, t.Args));
        Assert.Contains(_target.Requests, r => r.User == $"system:serviceaccount:{Ns}:ciupgrade" && r.Method == "PATCH");
        Assert.DoesNotContain(_pipelineCluster.Requests, r => r.User == PipelineUser);
        Assert.Equal("2.6", (string?)_pipelineCluster.Registry.Get("configmaps", Ns, "system-environment")!["data"]!["AMP_RELEASE"]);
        Assert.All(run.Tasks, t => Assert.DoesNotContain(token, t.Output + t.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_target_token_the_cluster_rejects_stops_preflight_with_exit_3_and_the_token_is_not_printed()
    {
        const string revoked = "sha256~0123456789abcdef0123456789abcdef01234567";
        var targetDir = MountTargetSecret(revoked, "ciupgrade-target-revoked");

        var run = await Runner(targetDir).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        var preflight = run.Task("preflight");
        Assert.True(preflight.ExitCode == 3, run.Describe());
        Assert.Equal("None", run.Task("backup").Status);
        Assert.All(run.Tasks, t => Assert.DoesNotContain(revoked, t.Output + t.Error, StringComparison.Ordinal));
        Assert.DoesNotContain(_pipelineCluster.Requests, r => r.User == PipelineUser);
    }
}
