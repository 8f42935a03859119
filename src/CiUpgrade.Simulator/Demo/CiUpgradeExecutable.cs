using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CiUpgrade.Simulator.Demo;

/// <summary>
/// The ciupgrade program the demo runs, one process per stage as a Tekton step does: a NativeAOT binary (or any
/// executable) started directly, or the framework-dependent ciupgrade.dll that the build copies next to the
/// simulator (ciupgrade-app/), started with the same dotnet host that runs the simulator.
/// </summary>
public sealed class CiUpgradeExecutable
{
    private readonly string _fileName;
    private readonly string[] _prefix;

    private CiUpgradeExecutable(string fileName, string[] prefix, string path)
    {
        _fileName = fileName;
        _prefix = prefix;
        Path = path;
    }

    /// <summary>What is run: the binary or the ciupgrade.dll.</summary>
    public string Path { get; }

    /// <summary>
    /// <paramref name="path"/> when given (a binary, or a .dll run by dotnet); else the ciupgrade built with the
    /// simulator: <c>ciupgrade-app/ciupgrade.dll</c> beside it, or <c>ciupgrade.dll</c> in the same directory (a test's output).
    /// </summary>
    public static CiUpgradeExecutable Find(string? path)
    {
        if (path is not null)
        {
            var full = System.IO.Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new ArgumentException($"--ciupgrade {path} does not exist: pass the ciupgrade binary (e.g. publish/ciupgrade from build/publish.sh) or omit the flag");
            }

            return full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new(DotnetHost(), [full], full) : new(full, [], full);
        }

        var besideUs = AppContext.BaseDirectory;
        foreach (var candidate in new[] { System.IO.Path.Combine(besideUs, "ciupgrade-app", "ciupgrade.dll"), System.IO.Path.Combine(besideUs, "ciupgrade.dll") })
        {
            if (File.Exists(candidate))
            {
                return new(DotnetHost(), [candidate], candidate);
            }
        }

        throw new ArgumentException($"no ciupgrade.dll beside the simulator in {besideUs}: build src/CiUpgrade.Simulator (it builds ciupgrade too) or pass --ciupgrade PATH");
    }

    /// <summary>
    /// Which build this is, as `ciupgrade --version` says in its parentheses ("NativeAOT", or "framework-dependent,
    /// .NET 10.0.1"): asked of the program itself, so a wrapper (the image check's jail) reports what it runs.
    /// </summary>
    public async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RunAsync(["--version"], stdout, stderr, cancellationToken);
        var version = stdout.ToString().Trim();
        var open = version.IndexOf(" (", StringComparison.Ordinal);
        return code == 0 && open > 0 && version.EndsWith(')') ? version[(open + 2)..^1] : "build unknown";
    }

    /// <summary>Runs one stage and forwards its stdout and stderr line by line; returns its exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in _prefix.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_fileName}");
        try
        {
            await Task.WhenAll(ForwardAsync(process.StandardOutput, stdout), ForwardAsync(process.StandardError, stderr), process.WaitForExitAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;
    }

    private static async Task ForwardAsync(StreamReader from, TextWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            await to.WriteLineAsync(line);
        }
    }

    /// <summary>
    /// The dotnet host of the runtime running us (…/shared/Microsoft.NETCore.App/&lt;version&gt;/ is three levels below
    /// it), so ciupgrade.dll runs on the same runtime without relying on PATH or DOTNET_ROOT; PATH's dotnet otherwise.
    /// </summary>
    private static string DotnetHost()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var root = System.IO.Path.GetFullPath(System.IO.Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = System.IO.Path.Combine(root, name);
        return File.Exists(host) ? host : name;
    }
}
