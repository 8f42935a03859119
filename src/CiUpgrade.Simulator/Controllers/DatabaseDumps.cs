using System.Collections.Concurrent;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// Knobs for what a database pod answers to a dump command run through pods/exec (see Api/PodExecHandler): the
/// size of the deterministic dump each DeploymentConfig's pods stream, and dumps that fail part way. Thread-safe.
/// </summary>
public sealed class DatabaseDumps
{
    /// <summary>Bytes a dump streams unless set per DeploymentConfig.</summary>
    public const long DefaultSize = 64 * 1024;

    private readonly ConcurrentDictionary<string, long> _sizes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DumpFailure> _failures = new(StringComparer.Ordinal);

    /// <summary>The dump from the pods of DeploymentConfig <paramref name="dc"/> in <paramref name="ns"/> is <paramref name="bytes"/> long.</summary>
    public void SetSize(string ns, string dc, long bytes) => _sizes[ns + "/" + dc] = bytes;

    public long SizeFor(string ns, string dc) => _sizes.GetValueOrDefault(ns + "/" + dc, DefaultSize);

    /// <summary>The dump stops after <paramref name="afterBytes"/> bytes and the command exits with <paramref name="exitCode"/>, writing <paramref name="stderr"/>.</summary>
    public void Fail(string ns, string dc, long afterBytes = 1024, int exitCode = 2, string stderr = "mysqldump: Error 2013: Lost connection to MySQL server during query when dumping table `accounts` at row: 1") =>
        _failures[ns + "/" + dc] = new DumpFailure(afterBytes, exitCode, stderr);

    public void ClearFailure(string ns, string dc) => _failures.TryRemove(ns + "/" + dc, out _);

    public DumpFailure? FailureFor(string ns, string dc) => _failures.GetValueOrDefault(ns + "/" + dc);
}

/// <summary>A dump that ends early: bytes streamed first, the exit code and the stderr text.</summary>
public sealed record DumpFailure(long AfterBytes, int ExitCode, string Stderr);
