using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Simulator.Demo;

/// <summary>
/// The README's first command: a simulated cluster seeded with a 3scale 2.6 install, then every stage of the
/// upgrade as its own ciupgrade process (as Tekton runs each in its own container), over HTTPS through the
/// kubeconfig the cluster writes, exactly as against a real cluster. Exits with the code of the stage that stopped
/// the chain (verify's when all ran).
/// </summary>
public static class DemoCommand
{
    public const string Namespace = "3scale";

    public const string Usage = "usage: CiUpgrade.Simulator demo [--junit FILE (default out/verify-junit.xml)] [--output text|json] [--ciupgrade PATH (default: the ciupgrade built with the simulator)]";

    /// <summary>GET /version over HTTPS, the server's certificate checked against the one the kubeconfig names.</summary>
    private static async Task ServingAsync(SimulatedCluster cluster, CancellationToken ct)
    {
        using var expected = X509Certificate2.CreateFromPem(cluster.CertificateAuthorityPem);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.RawData.AsSpan().SequenceEqual(expected.RawData) == true,
        };
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.BaseUri, "/version"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminToken);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Which ciupgrade the overhead belongs to (docs/benchmarks.md explains both figures): the framework-dependent build
    /// starts .NET and JIT-compiles in each of the six processes, most of its overhead; the image's NativeAOT binary
    /// does neither.
    /// </summary>
    internal static string OverheadNote(string path, string build) => build.StartsWith("framework-dependent", StringComparison.Ordinal)
        ? $"the framework-dependent build {path} ({build}: .NET start-up and JIT in each stage's process are most of that; the NativeAOT binary the image ships, --ciupgrade publish/ciupgrade after build/publish.sh, takes under a second: docs/benchmarks.md)"
        : $"the {build} build {path}";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var junit = "out/verify-junit.xml";
        var output = "text";
        string? program = null;
        CiUpgradeExecutable ciupgrade;
        try
        {
            for (var i = 0; i < args.Count; i++)
            {
                string Next() => i + 1 < args.Count && args[i + 1].Length > 0 ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--junit": junit = Next(); break;
                    case "--output":
                        output = Next();
                        if (output is not ("text" or "json"))
                        {
                            throw new ArgumentException($"--output \"{output}\" is not supported: use text or json");
                        }

                        break;
                    case "--ciupgrade": program = Next(); break;
                    case "--help" or "-h":
                        await stdout.WriteLineAsync(Usage);
                        return 0;
                    default: throw new ArgumentException($"unknown demo flag {args[i]} ({Usage})");
                }
            }

            ciupgrade = CiUpgradeExecutable.Find(program);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        await stdout.WriteLineAsync($"[demo] starting a simulated OpenShift cluster with a 3scale 2.6 install in namespace {Namespace}");
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions
        {
            Timing = ControllerTiming.Demo,
            Seeds = [(Namespace, SeedOptions.Default)],
        }, ct);
        var work = Path.Combine(Path.GetTempPath(), "ciupgrade-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            var kubeconfig = cluster.WriteKubeconfig(Path.Combine(work, "kubeconfig"), ns: Namespace);
            var backupDir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(junit)) ?? ".", "backup");
            string[] common = ["--kubeconfig", kubeconfig, "--output", output, "--timeout", "5m"];
            var build = await ciupgrade.BuildAsync(ct);
            await stdout.WriteLineAsync($"[demo] each stage runs as its own process: {ciupgrade.Path} ({build})");

            // A real API server has answered many requests before an upgrade starts; this one was started a moment ago,
            // and its first answer pays for its own start-up (Kestrel, TLS and routing set up on first use, the server
            // being JIT-compiled). The clock starts once it has answered a readiness request (GET /version, what
            // `oc version` asks first), so that cost is not counted as ciupgrade's.
            await ServingAsync(cluster, ct);
            var clock = Stopwatch.StartNew();
            var busyBefore = cluster.ControllerBusyTime;
            var code = 0;
            foreach (var stage in DemoChain.Stages(backupDir, junit))
            {
                await stdout.WriteLineAsync($"[demo] $ ciupgrade {string.Join(' ', stage)}");
                code = await ciupgrade.RunAsync([.. stage, .. common], stdout, stderr, ct);
                if (code != 0)
                {
                    await stdout.WriteLineAsync($"[demo] stopped: {stage[0]} exited with code {code}");
                    return code;
                }
            }

            var upgrade = clock.Elapsed;
            var simulated = cluster.ControllerBusyTime - busyBefore;
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[demo] verification passed; JUnit report: {junit}; upgrade took {upgrade.TotalSeconds:0.00}s, of which the simulated cluster's own imports and rollouts {simulated.TotalSeconds:0.00}s (ciupgrade's overhead {(upgrade - simulated).TotalSeconds:0.00}s) with {OverheadNote(ciupgrade.Path, build)}"));
            return code;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
