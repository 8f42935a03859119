using System.Security.Cryptography;
using System.Text;

namespace CiUpgrade.Simulator.Containers;

/// <summary>
/// The bytes a data set holds (a database as its dump would print it, a redis file, a redis server's memory), as an
/// immutable sequence of parts: generated seed rows (any size, produced on demand, never held), a scratch file a
/// restore wrote, and small blocks appended since (what a migration or a write added). Read by offset, so a dump of
/// any size streams out through a bounded buffer.
/// </summary>
public sealed class DataContent
{
    private readonly IReadOnlyList<IPart> _parts;

    private DataContent(IReadOnlyList<IPart> parts) => _parts = parts;

    public static DataContent Empty { get; } = new([]);

    public long Length => _parts.Sum(p => p.Length);

    /// <summary>The seed: <paramref name="header"/>, then numbered fixed-width rows of <paramref name="label"/> up to <paramref name="size"/>() bytes (read at each use: the size knob may change).</summary>
    public static DataContent Generated(string header, string label, Func<long> size) => new([new GeneratedPart(Encoding.ASCII.GetBytes(header), label, size)]);

    public static DataContent FromFile(string path, long length) => new([new FilePart(path, length)]);

    public static DataContent FromBytes(byte[] bytes) => new([new BytesPart(bytes)]);

    /// <summary>This content with <paramref name="block"/> appended.</summary>
    public DataContent Append(byte[] block) => new([.. _parts, new BytesPart(block)]);

    /// <summary>Copies up to <paramref name="into"/>.Length bytes from <paramref name="offset"/>; returns how many.</summary>
    public int Read(long offset, Span<byte> into)
    {
        var written = 0;
        foreach (var part in _parts)
        {
            var length = part.Length;
            if (offset >= length)
            {
                offset -= length;
                continue;
            }

            var n = (int)Math.Min(into.Length - written, length - offset);
            part.Read(offset, into.Slice(written, n));
            written += n;
            offset = 0;
            if (written == into.Length)
            {
                break;
            }
        }

        return written;
    }

    public async Task CopyToAsync(Func<ReadOnlyMemory<byte>, CancellationToken, Task> write, int chunk, CancellationToken ct)
    {
        var buffer = new byte[chunk];
        for (long offset = 0; ; )
        {
            var n = Read(offset, buffer);
            if (n == 0)
            {
                return;
            }

            await write(buffer.AsMemory(0, n), ct);
            offset += n;
        }
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Read(0, bytes);
        return bytes;
    }

    public string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        for (long offset = 0; ; )
        {
            var n = Read(offset, buffer);
            if (n == 0)
            {
                return Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            hash.AppendData(buffer, 0, n);
            offset += n;
        }
    }

    /// <summary>The lines of the parts that are not generated rows (the header, loaded files, appended blocks): what schema parsing reads.</summary>
    internal IEnumerable<string> TextLines(Func<string, bool> wanted) => _parts.SelectMany(p => p.Lines()).Where(wanted);

    private interface IPart
    {
        long Length { get; }

        void Read(long offset, Span<byte> into);

        IEnumerable<string> Lines();
    }

    private sealed class BytesPart(byte[] bytes) : IPart
    {
        public long Length => bytes.Length;

        public void Read(long offset, Span<byte> into) => bytes.AsSpan((int)offset, into.Length).CopyTo(into);

        public IEnumerable<string> Lines() => Encoding.UTF8.GetString(bytes).Split('\n');
    }

    private sealed class FilePart(string path, long length) : IPart
    {
        public long Length => length;

        public void Read(long offset, Span<byte> into)
        {
            using var handle = File.OpenHandle(path);
            for (var done = 0; done < into.Length;)
            {
                var n = RandomAccess.Read(handle, into[done..], offset + done);
                if (n == 0)
                {
                    throw new IOException($"{path} ended before {length} bytes");
                }

                done += n;
            }
        }

        public IEnumerable<string> Lines()
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                yield return line;
            }
        }
    }

    /// <summary>The seed rows: the header, then fixed-width numbered rows, so any part is produced without the rest.</summary>
    private sealed class GeneratedPart(byte[] header, string label, Func<long> size) : IPart
    {
        private const int RowWidth = 96;

        public long Length => Math.Max(size(), header.Length);

        public void Read(long offset, Span<byte> span)
        {
            Span<byte> row = stackalloc byte[RowWidth];
            var written = 0;
            while (written < span.Length)
            {
                var at = offset + written;
                if (at < header.Length)
                {
                    var n = Math.Min(header.Length - (int)at, span.Length - written);
                    header.AsSpan((int)at, n).CopyTo(span[written..]);
                    written += n;
                    continue;
                }

                var index = (at - header.Length) / RowWidth;
                var column = (int)((at - header.Length) % RowWidth);
                Row(index, row);
                var take = Math.Min(RowWidth - column, span.Length - written);
                row.Slice(column, take).CopyTo(span[written..]);
                written += take;
            }
        }

        /// <summary>The header only: the rows are data, not schema.</summary>
        public IEnumerable<string> Lines() => Encoding.ASCII.GetString(header).Split('\n');

        private void Row(long index, Span<byte> row)
        {
            row.Fill((byte)' ');
            row[^1] = (byte)'\n';
            System.Text.Unicode.Utf8.TryWrite(row[..^1], System.Globalization.CultureInfo.InvariantCulture,
                $"INSERT INTO `rows` VALUES ({index},'{label}-{index * 2654435761 % 4294967296:x8}');", out _);
        }
    }
}
