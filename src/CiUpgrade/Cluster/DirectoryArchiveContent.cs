using System.Formats.Tar;
using System.IO.Compression;
using System.Net;

namespace CiUpgrade.Cluster;

/// <summary>
/// A request body that is the gzipped tar of a directory, written while it is sent (never buffered whole: the
/// Instant Client packages are tens of megabytes), entries relative to the directory, as `oc start-build --from-dir` sends.
/// </summary>
public sealed class DirectoryArchiveContent : HttpContent
{
    private readonly string _directory;

    public DirectoryArchiveContent(string directory)
    {
        _directory = directory;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
    }

    /// <summary>Bytes of the archive written to the connection so far (how far an upload got when it broke off).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    private long _sent;

    /// <summary>The total size of the directory's files: what the upload carries before compression.</summary>
    public static long ContentBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    /// <summary>Every regular file under the directory, '/'-separated and relative to it.</summary>
    public static IReadOnlyList<string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal).ToList();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // Entries built here rather than by TarFile.CreateFromDirectory: that one looks up each file's owner and group
        // names (getpwuid/getgrgid), which throws where /etc/passwd is absent (a distroless root, the image check's
        // jail) — the build needs only names, modes and contents. A symbolic link is sent as the file it points to.
        await using var counted = new CountingStream(stream, n => Interlocked.Add(ref _sent, n));
        await using var gzip = new GZipStream(counted, CompressionLevel.Fastest, leaveOpen: true);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var path in Directory.EnumerateFileSystemEntries(_directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(_directory, path).Replace(Path.DirectorySeparatorChar, '/');
            if (Directory.Exists(path))
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = ModeOf(path), ModificationTime = Directory.GetLastWriteTimeUtc(path) }, cancellationToken);
                continue;
            }

            await using var data = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = ModeOf(path), ModificationTime = File.GetLastWriteTimeUtc(path) };
            await tar.WriteEntryAsync(entry, cancellationToken);
        }
    }

    // Windows has no Unix modes: what a tar entry gets there by default.
    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead : File.GetUnixFileMode(path);

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
