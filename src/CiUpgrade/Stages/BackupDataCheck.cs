using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Before a data restore's first write: the backup holds a dump or archive of every data set the namespace has
/// (<see cref="DataRestorePlan.Problems"/>), and each file is there, matches the sha256 the manifest recorded, and
/// decompresses whole to the uncompressed size recorded (a load reads exactly that many bytes). One pass per file,
/// a bounded buffer. Refused with exit 2 naming each problem; nothing changed.
/// </summary>
public static class BackupDataCheck
{
    public static async Task<IReadOnlyList<BackedUpData>> RequireAsync(string dir, BackupContent backup, IReadOnlyList<string> needed, CancellationToken ct)
    {
        var problems = DataRestorePlan.Problems(needed, backup).ToList();
        var usable = needed.Select(n => backup.Data.GetValueOrDefault(n)).OfType<BackedUpData>().Where(d => d.Missing is null).ToList();
        foreach (var data in usable)
        {
            if (await ProblemAsync(Path.Combine(dir, data.File!), data, ct) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (problems.Count > 0)
        {
            throw new UpgradeException(ExitCode.BadInput,
                $"the backup in {dir} cannot restore the data: {string.Join("; ", problems)}; nothing was changed — pass a backup taken with --databases before the upgrade, or roll back without --restore-data only if the migration has not run");
        }

        return usable;
    }

    private static async Task<string?> ProblemAsync(string path, BackedUpData data, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return $"{data.File} is missing";
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = File.OpenRead(path);
        await using var hashing = new HashingReader(file, hash);
        long length = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            await using var gzip = new GZipStream(hashing, CompressionMode.Decompress);
            int n;
            while ((n = await gzip.ReadAsync(buffer, ct)) > 0)
            {
                length += n;
            }

            // The gzip reader may stop before the end of the file: the sum covers every byte.
            while (await hashing.ReadAsync(buffer, ct) > 0)
            {
            }
        }
        catch (InvalidDataException e)
        {
            return $"{data.File} is not a valid gzip file ({e.Message})";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (Convert.ToHexStringLower(hash.GetHashAndReset()) != data.Sha256)
        {
            return $"{data.File} does not match the sha256 in {BackupValidation.ManifestFile}";
        }

        return length != data.Bytes ? $"{data.File} decompresses to {length} bytes, not the {data.Bytes} its manifest records" : null;
    }

    /// <summary>A read-only stream that hashes what is read through it.</summary>
    private sealed class HashingReader(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            hash.AppendData(buffer[..n]);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            hash.AppendData(buffer.Span[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
