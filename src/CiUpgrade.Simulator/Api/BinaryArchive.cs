using System.Formats.Tar;
using System.IO.Compression;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// Reads the body of an instantiatebinary request the way the build pod's extraction does: a tar stream,
/// optionally gzip-compressed (oc start-build --from-dir sends tar.gz). Only the entry names are kept.
/// </summary>
internal static class BinaryArchive
{
    /// <summary>Regular-file entries, "./" stripped; null when the body is not a (gzipped) tar archive.</summary>
    public static IReadOnlyList<string>? Files(byte[] body)
    {
        try
        {
            using var raw = new MemoryStream(body, writable: false);
            using Stream input = body.Length >= 2 && body[0] == 0x1F && body[1] == 0x8B ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new TarReader(input);
            var files = new List<string>();
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    files.Add(entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name);
                }
            }

            return files.Count == 0 && body.Length == 0 ? null : files;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            return null;
        }
    }
}
