using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// Issue 11, concurrent runs: two PipelineRuns of 3scale-upgrade on one namespace. Every mutating Task passes the
/// PipelineRun's uid as --run-id, the holder of the namespace lock (issue 13); the second run waits for the lock, its
/// log naming the first run, and never changes the install while the first one's stage holds it.
/// </summary>
public sealed class ConcurrentRunTests : IAsyncLifetime
{
    private const string Ns = "3scale";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-tekton-concurrent-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedCluster _cluster = null!;

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    private static string RoleYaml => File.ReadAllText(Path.Combine(TektonFiles.Root, "rbac", "ciupgrade.yaml"));

    public async Task InitializeAsync()
    {
        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, Seeds = [(Ns, SeedOptions.Default)] });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private PipelineRunner Runner(string serviceAccount)
    {
        var token = _cluster.AddServiceAccountToken(Ns, serviceAccount, RoleYaml);
        Directory.CreateDirectory(Path.Combine(_dir, "workspace-" + serviceAccount));
        return new PipelineRunner(_cluster.WriteKubeconfig(Path.Combine(_dir, serviceAccount + ".kubeconfig"), token, Ns), Path.Combine(_dir, "workspace-" + serviceAccount),
            new Dictionary<string, string> { ["backups"] = Path.Combine(_dir, "backups") });
    }

    private async Task LockTakenAsync()
    {
        var changes = _cluster.Registry.Store.Watch(null, null, null, Timeout);
        // update-prehook holds it briefly first; patch-imagestreams holds it while apicast-production is held back.
        while ((string?)_cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock")?["data"]?["stage"] != "patch-imagestreams")
        {
            await changes.ReadAsync(Timeout);
        }
    }

    [Fact]
    public async Task The_second_run_waits_for_the_namespace_lock_named_in_its_log_and_the_install_ends_upgraded()
    {
        // The first run's patch-imagestreams holds the lock while apicast-production's rollout is held back.
        _cluster.ControllerFaults.SlowDeploymentConfig(Ns, "apicast-production", TimeSpan.FromHours(1));
        var first = Runner("first").RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);
        await Task.WhenAny(first, LockTakenAsync());

        if (first.IsCompleted)
        {
            Assert.Fail("the first run ended before its patch-imagestreams took the lock: " + (await first).Describe());
        }
        var holder = (string)_cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock")!["data"]!["holder"]!;

        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cluster.RequestAnswered += r =>
        {
            if (r.User == $"system:serviceaccount:{Ns}:second" && r.Method == "GET" && r.StatusCode == 200 && r.Path.EndsWith("/configmaps/ciupgrade-lock", StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        };
        var second = Runner("second").RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);
        await seen.Task.WaitAsync(Timeout);
        Assert.DoesNotContain(_cluster.Requests, r => r.User == $"system:serviceaccount:{Ns}:second" && r.Method is "PATCH" or "PUT" or "DELETE");

        _cluster.ControllerFaults.SlowDeploymentConfig(Ns, "apicast-production", TimeSpan.Zero);
        var (run1, run2) = (await first, await second);

        Assert.Equal(run1.Uid, holder);
        Assert.True(run1.Status == "Succeeded", run1.Describe());
        Assert.Equal(("Succeeded", "0"), (run1.Results["verify-status"], run1.Results["verify-failed"]));
        Assert.Contains(run2.Tasks, t => t.Output.Contains($"waiting for the upgrade lock of namespace {Ns}: held by {run1.Uid} (stage patch-imagestreams", StringComparison.Ordinal));
        // The second run either finds the work done and passes, or refuses (exit 4) what the first was still changing:
        // never another failure, never a rollback of the first run's upgrade (its own backup is not pre-upgrade).
        Assert.True(run2.Status == "Succeeded" || run2.Tasks.Where(t => t.Status == "Failed").All(t => t.ExitCode == 4), run2.Describe());
        Assert.Equal("2.7", _cluster.Registry.Get("deploymentconfigs", Ns, "system-app")!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Single(e => (string?)e!["name"] == "AMP_RELEASE")!["value"]!.GetValue<string>());
        Assert.Null(_cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }
}
