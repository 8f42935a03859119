using System.Formats.Tar;
using System.Text;

namespace CiUpgrade.Simulator.Containers;

/// <summary>
/// A persistent volume's files (system-storage: the developer portal's uploads and runtime files under
/// /opt/system/public/system in system-app), kept in the order they were written. `tar -c` of its root streams a
/// GNU tar of them; `tar -x` stores each entry as it is read, so an extraction cut off half-way leaves the entries
/// read until then, as a real one would. Thread-safe.
/// </summary>
public sealed class StorageVolume
{
    private static readonly DateTimeOffset SeedTime = new(2019, 10, 7, 9, 30, 0, TimeSpan.Zero);
    private readonly Lock _lock = new();
    private readonly List<Item> _items = [];

    /// <summary>A volume as a 2.6 install leaves it: a provider's logo and CMS files.</summary>
    public static StorageVolume Seeded()
    {
        var volume = new StorageVolume();
        volume.Add(new Item("./", TarEntryType.Directory, null, SeedTime));
        volume.Add(new Item("./provider-name/", TarEntryType.Directory, null, SeedTime));
        volume.Add(new Item("./provider-name/2019/", TarEntryType.Directory, null, SeedTime));
        volume.Add(new Item("./provider-name/2019/10/07/", TarEntryType.Directory, null, SeedTime));
        volume.Add(new Item("./provider-name/2019/10/07/logo-d1f3.png", TarEntryType.RegularFile, Encoding.ASCII.GetBytes("\u0089PNG stand-in for the developer portal logo\n"), SeedTime));
        volume.Add(new Item("./provider-name/cms/", TarEntryType.Directory, null, SeedTime));
        volume.Add(new Item("./provider-name/cms/terms.pdf", TarEntryType.RegularFile, Encoding.ASCII.GetBytes("%PDF-1.4 stand-in for the terms of use\n"), SeedTime));
        return volume;
    }

    /// <summary>The paths held, in order (directories end with '/').</summary>
    public IReadOnlyList<string> Paths
    {
        get { lock (_lock) { return _items.Select(i => i.Name).ToList(); } }
    }

    public byte[]? Read(string path)
    {
        lock (_lock)
        {
            return _items.FirstOrDefault(i => i.Name == Normal(path))?.Data;
        }
    }

    /// <summary>A writer (system-app serving an upload) adds or replaces a file.</summary>
    public void Write(string path, byte[] data, DateTimeOffset time) => Add(new Item(Normal(path), TarEntryType.RegularFile, data, time));

    /// <summary>`find . -mindepth 1 -delete`: everything below the mount point goes; the mount point stays.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _items.RemoveAll(i => i.Name != "./");
        }
    }

    /// <summary>`tar -cf - .` in the mount point (GNU format, as GNU tar writes by default).</summary>
    public async Task WriteTarAsync(Stream output, CancellationToken ct)
    {
        List<Item> items;
        lock (_lock)
        {
            items = [.. _items];
        }

        await using var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var item in items)
        {
            var entry = new GnuTarEntry(item.Type, item.Name)
            {
                ModificationTime = item.Time,
                AccessTime = item.Time,
                ChangeTime = item.Time,
                Mode = item.Type == TarEntryType.Directory ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                Uid = 1001,
                Gid = 0,
            };
            if (item.Data is { } data)
            {
                entry.DataStream = new MemoryStream(data, writable: false);
            }

            await writer.WriteEntryAsync(entry, ct);
        }
    }

    /// <summary>`tar -xf -` in the mount point with --no-overwrite-dir: each entry stored as it is read.</summary>
    public async Task ExtractAsync(Stream input, CancellationToken ct)
    {
        await using var reader = new TarReader(input, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            byte[]? data = null;
            if (entry.DataStream is { } stream)
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, ct);
                data = copy.ToArray();
            }

            if (entry.EntryType is TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                Add(new Item(Normal(entry.Name), entry.EntryType == TarEntryType.Directory ? TarEntryType.Directory : TarEntryType.RegularFile, data, entry.ModificationTime));
            }
        }
    }

    private void Add(Item item)
    {
        lock (_lock)
        {
            var at = _items.FindIndex(i => i.Name == item.Name);
            if (at < 0)
            {
                _items.Add(item);
            }
            else if (item.Type != TarEntryType.Directory)
            {
                _items[at] = item; // --no-overwrite-dir: an existing directory keeps its metadata
            }
        }
    }

    private static string Normal(string path) => path.StartsWith("./", StringComparison.Ordinal) ? path : "./" + path.TrimStart('/');

    private sealed record Item(string Name, TarEntryType Type, byte[]? Data, DateTimeOffset Time);
}
