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

    /// <summary>Every regular file under the directory, '/'-separated and relative to it.</summary>
    public static IReadOnlyList<string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal).ToList();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        await TarFile.CreateFromDirectoryAsync(_directory, gzip, includeBaseDirectory: false, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
