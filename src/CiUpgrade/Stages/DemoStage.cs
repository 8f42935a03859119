using CiUpgrade.Cli;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Stages;

/// <summary>
/// The README's first command: a simulated cluster seeded with a 3scale 2.6 install, then the real stages in
/// order, each through the same CLI path and KubernetesClient over HTTPS, exactly as against a real cluster.
/// </summary>
public static class DemoStage
{
    public const string Namespace = "3scale";

    public static async Task<int> RunAsync(DemoOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        await stdout.WriteLineAsync($"[demo] starting a simulated OpenShift cluster with a 3scale 2.6 install in namespace {Namespace}");
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions
        {
            Timing = ControllerTiming.Demo,
            Seeds = [(Namespace, SeedOptions.Default)],
        }, ct);
        var work = Path.Combine(Path.GetTempPath(), "ciupgrade-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var kubeconfig = cluster.WriteKubeconfig(Path.Combine(work, "kubeconfig"), ns: Namespace);
        var backupDir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Junit)) ?? ".", "backup");
        string[] common = ["--kubeconfig", kubeconfig, "--output", options.Output, "--timeout", "5m"];
        string[][] stages =
        [
            ["preflight", .. common],
            ["backup", "--backup-dir", backupDir, .. common],
            ["update-prehook", .. common],
            ["patch-imagestreams", .. common],
            ["set-release", .. common],
            ["verify", "--junit", options.Junit, .. common],
        ];
        var started = DateTimeOffset.UtcNow;
        var code = 0;
        foreach (var args in stages)
        {
            await stdout.WriteLineAsync($"[demo] $ ciupgrade {string.Join(' ', args.TakeWhile(a => a != "--kubeconfig"))}");
            code = await CliApp.RunAsync(args, stdout, stderr, ct);
            if (code != 0)
            {
                break;
            }
        }

        Directory.Delete(work, recursive: true);
        await stdout.WriteLineAsync(code == 0
            ? $"[demo] upgrade finished in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0}s; verification passed; JUnit report: {options.Junit}"
            : $"[demo] stopped with exit code {code}");
        return code;
    }
}
