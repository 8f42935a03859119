using System.Diagnostics;

namespace CiUpgrade.Simulator.Tests.Support;

/// <summary>Runs the installed kubectl (or a shell pipeline around it) against a kubeconfig.</summary>
internal static class Kubectl
{
    public static Task<(int Code, string Out, string Err)> RunAsync(string kubeconfig, params string[] args) =>
        ExecAsync("kubectl", ["--kubeconfig", kubeconfig, .. args]);

    /// <summary>A bash command line with KUBECONFIG set, for the runbook's `kubectl ... | jq ...` pipelines.</summary>
    public static Task<(int Code, string Out, string Err)> ShellAsync(string kubeconfig, string command) =>
        ExecAsync("bash", ["-c", command], ("KUBECONFIG", kubeconfig));

    private static async Task<(int Code, string Out, string Err)> ExecAsync(string file, string[] args, params (string Key, string Value)[] env)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
