namespace CiUpgrade.RealApiTests.Support;

/// <summary>
/// The built `ciupgrade` executable, one process per stage as Tekton runs it: the apphost built beside these tests,
/// or the binary CIUPGRADE_BINARY names (e.g. the NativeAOT one from build/publish.sh).
/// </summary>
public static class Ciupgrade
{
    public static string Executable =>
        Environment.GetEnvironmentVariable("CIUPGRADE_BINARY") is { Length: > 0 } binary ? binary : Path.Combine(AppContext.BaseDirectory, "ciupgrade");

    /// <summary>Runs one stage against <paramref name="kubeconfig"/> (no KUBECONFIG from the environment), at most 5 minutes.</summary>
    public static async Task<Result> RunAsync(string kubeconfig, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["KUBECONFIG"] = null };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var (code, output, error) = await ChildProcess.RunAsync(Executable, [.. args, "--kubeconfig", kubeconfig], env, timeout.Token);
        return new Result(code, output, error);
    }

    public sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\nstderr: {Err}\nstdout: {Out}";
    }
}
