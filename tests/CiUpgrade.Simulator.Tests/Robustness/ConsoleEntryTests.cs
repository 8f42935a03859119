using System.Diagnostics;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Robustness;

/// <summary>The simulator's console entry as a user runs it: --fault flags, the control endpoint, --state-dir across a SIGTERM.</summary>
public sealed class ConsoleEntryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-console-" + Guid.NewGuid().ToString("N")[..8]);

    public ConsoleEntryTests() => Directory.CreateDirectory(_dir);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token;

    private string Kubeconfig => Path.Combine(_dir, "kubeconfig");

    [Fact]
    public async Task A_bad_fault_flag_is_one_error_line_and_exit_2_before_anything_starts()
    {
        using var simulator = Start("--fault", "stick-dc=zync:Sleepy");
        var error = await simulator.StandardError.ReadToEndAsync(Timeout);
        await simulator.WaitForExitAsync(Timeout);

        Assert.Equal(2, simulator.ExitCode);
        Assert.Equal("error: fault stick-dc: \"Sleepy\" is not ImagePullBackOff or CrashLoopBackOff (use stick-dc=[NS/]DC[:ImagePullBackOff|CrashLoopBackOff])", error.Trim());
        Assert.False(File.Exists(Kubeconfig));
    }

    [Fact]
    public async Task Faults_given_at_start_are_live_and_the_state_directory_survives_a_sigterm_and_a_restart()
    {
        var state = Path.Combine(_dir, "state");
        using (var simulator = Start("--state-dir", state, "--fault", "stick-dc=zync:CrashLoopBackOff", "--fault", "drop-watches=3"))
        {
            await ReadUntilAsync(simulator, "fault drop-watches=3 applied");
            var body = Path.Combine(_dir, "probe.json");
            await File.WriteAllTextAsync(body, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"probe"},"data":{"a":"b"}}""");
            var (created, _, createError) = await Kubectl.RunAsync(Kubeconfig, "create", "--raw", "/api/v1/namespaces/3scale/configmaps", "-f", body);
            Assert.True(created == 0, createError);
            var (code, faults, error) = await Kubectl.RunAsync(Kubeconfig, "get", "--raw", "/simulator/faults");
            Assert.True(code == 0, error);
            Assert.Contains("\"name\":\"stick-dc\"", faults, StringComparison.Ordinal);
            await StopAsync(simulator);
        }

        using var again = Start("--state-dir", state);
        await ReadUntilAsync(again, "state resumed from");
        var (getCode, value, getError) = await Kubectl.RunAsync(Kubeconfig, "get", "--raw", "/api/v1/namespaces/3scale/configmaps/probe");
        Assert.True(getCode == 0, getError);
        Assert.Contains("\"data\":{\"a\":\"b\"}", value, StringComparison.Ordinal);
        await StopAsync(again);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CiUpgrade.Simulator.dll"));
        foreach (var a in (string[])["--kubeconfig-out", Kubeconfig, "--timing", "fast", .. args])
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    private static async Task ReadUntilAsync(Process simulator, string text)
    {
        while (await simulator.StandardOutput.ReadLineAsync(Timeout) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail($"the simulator exited without printing \"{text}\": {await simulator.StandardError.ReadToEndAsync(Timeout)}");
    }

    /// <summary>SIGTERM, as a container stop sends it: the simulator saves its state and exits 0.</summary>
    private static async Task StopAsync(Process simulator)
    {
        using (var kill = Process.Start("kill", ["-TERM", simulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(Timeout);
        }

        await simulator.WaitForExitAsync(Timeout);
        Assert.Equal(0, simulator.ExitCode);
    }
}
