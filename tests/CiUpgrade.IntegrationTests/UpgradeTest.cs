using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.Cli;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// One simulated cluster per test, seeded with a 3scale 2.6 install in "3scale"; stages run through the same
/// entry point as the executable, reaching the cluster over HTTPS through a kubeconfig. The upgrade scenarios
/// (full chain, Oracle, rollback, drift) also run on OpenShift 4.x through a derived class per suite (…On4xTests).
/// </summary>
public abstract class UpgradeTest : IAsyncLifetime
{
    protected const string Ns = "3scale";

    protected UpgradeTest()
    {
        Directory.CreateDirectory(Dir);
    }

    protected string Dir { get; } = Path.Combine(Path.GetTempPath(), "ciupgrade-it-" + Guid.NewGuid().ToString("N")[..8]);

    protected SimulatedCluster Cluster { get; private set; } = null!;

    protected string Kubeconfig { get; private set; } = string.Empty;

    protected virtual SeedOptions Seed => SeedOptions.Default;

    protected virtual ControllerTiming Timing => ControllerTiming.Fast;

    /// <summary>The API server the cluster answers as: 3.11 (Kubernetes 1.11) unless a derived class says 4.x.</summary>
    protected virtual ServerVersion ServerVersion => ServerVersion.OpenShift311;

    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    public async Task InitializeAsync()
    {
        Cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = Timing, Seeds = [(Ns, Seed)], ServerVersion = ServerVersion });
        Kubeconfig = Cluster.WriteKubeconfig(Path.Combine(Dir, "kubeconfig"), ns: Ns);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>Runs `ciupgrade args --kubeconfig K` in-process and returns its exit code and output.</summary>
    protected async Task<(int Code, string Out, string Err)> Ciupgrade(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] full = args.Contains("--kubeconfig") ? args : [.. args, "--kubeconfig", Kubeconfig, "--timeout", "5m"];
        var code = await CliApp.RunAsync(full, stdout, stderr, Timeout);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <param name="databases">The backup also dumps the data (backup --databases), as `rollback --restore-data` needs once the migration ran.</param>
    protected async Task UpgradeAsync(bool databases = false)
    {
        string[] backup = databases ? ["backup", "--backup-dir", Path.Combine(Dir, "backup"), "--databases"] : ["backup", "--backup-dir", Path.Combine(Dir, "backup")];
        foreach (var stage in new[] { ["preflight"], backup, ["update-prehook"], ["patch-imagestreams"], new[] { "set-release" } })
        {
            var (code, output, error) = await Ciupgrade(stage);
            Assert.True(code == 0, $"{stage[0]} exited {code}: {error}\n{output}");
        }
    }

    protected async Task<XElement> VerifyAsync(int expectedCode)
    {
        var junit = Path.Combine(Dir, "verify-junit.xml");
        var (code, output, error) = await Ciupgrade("verify", "--junit", junit, "--results-dir", Path.Combine(Dir, "results"));
        Assert.True(code == expectedCode, $"verify exited {code}: {error}\n{output}");
        return XDocument.Load(junit).Root!.Element("testsuite")!;
    }

    /// <summary>A stand-in `amp/system-oracle` directory with the Oracle client packages (less those named in <paramref name="skip"/>).</summary>
    protected string OracleClientDir(params string[] skip)
    {
        var dir = Path.Combine(Dir, "system-oracle");
        Directory.CreateDirectory(Path.Combine(dir, "oracle-client-files"));
        foreach (var file in ThreeScaleSeed.OracleClientFiles.Where(f => !skip.Any(s => f.Contains(s, StringComparison.Ordinal))))
        {
            File.WriteAllText(Path.Combine(dir, file), "stand-in for " + file);
        }

        return dir;
    }

    protected JsonObject Get(string resource, string name, string ns = Ns) => Cluster.Registry.Get(resource, ns, name)!;

    /// <summary>Waits for a condition on the stored state, re-checking after every change (no sleeping).</summary>
    protected async Task WaitUntilAsync(Func<bool> condition)
    {
        var ct = Timeout;
        var changes = Cluster.Registry.Store.Watch(null, null, null, ct);
        while (!condition())
        {
            await changes.ReadAsync(ct);
        }
    }

    /// <summary>The directory the newest backup under <paramref name="backupDir"/> went to (its `latest` pointer).</summary>
    protected static string LatestBackup(string backupDir, string ns = Ns) =>
        Path.Combine(backupDir, ns, File.ReadAllText(Path.Combine(backupDir, ns, "latest")).Trim());

    protected long LatestVersion(string dc, string ns = Ns) => (long)Get("deploymentconfigs", dc, ns)["status"]!["latestVersion"]!;

    /// <summary>
    /// ciupgrade as a user runs it: its own process (`dotnet ciupgrade.dll`), with these variables set, or removed
    /// where null, in the environment it inherits.
    /// </summary>
    protected static async Task<(int Code, string Out, string Err)> RunExecutableAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ciupgrade.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(Timeout);
        return (process.ExitCode, await stdout, await stderr);
    }

    protected static async Task<(int Code, string Out, string Err)> Shell(string kubeconfig, string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["KUBECONFIG"] = kubeconfig;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(Timeout);
        return (process.ExitCode, await output, await error);
    }
}
