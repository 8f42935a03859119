using System.Collections.Concurrent;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// What each binary build received (the file names in the uploaded archive), keyed by namespace/build.
/// A binary build's pod waits for its input on stdin; the simulated builder waits for an entry here.
/// </summary>
public sealed class BinaryUploads
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _files = new(StringComparer.Ordinal);

    public void Record(string ns, string build, IReadOnlyList<string> files) => _files[ns + "/" + build] = files;

    /// <summary>The archive's entries (paths relative to its root), or null when nothing was uploaded to that build.</summary>
    public IReadOnlyList<string>? FilesOf(string ns, string build) => _files.GetValueOrDefault(ns + "/" + build);
}
