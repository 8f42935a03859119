using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Writes one backup: `&lt;backup-dir&gt;/&lt;namespace&gt;/&lt;time&gt;/`, built in a hidden work directory and renamed into
/// place only when complete (a crash never leaves a half-written backup under a backup's name, and no backup is
/// ever overwritten), then `&lt;backup-dir&gt;/&lt;namespace&gt;/latest` (a one-line file naming it: a file rather than a
/// symlink, as not every volume a Tekton workspace binds supports links). The directories are 0700 and every
/// file 0600: the backup holds Secrets, and DCs whose hook command embeds the master access token.
/// </summary>
public sealed class BackupWriter : IAsyncDisposable
{
    public const string LatestPointer = "latest";
    public const string PartialSuffix = ".partial";

    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _namespaceDir;
    private readonly DateTimeOffset _time;
    private bool _committed;

    private BackupWriter(string namespaceDir, string workDir, DateTimeOffset time)
    {
        _namespaceDir = namespaceDir;
        WorkDir = workDir;
        _time = time;
    }

    /// <summary>Where the files go until <see cref="Commit"/>.</summary>
    public string WorkDir { get; }

    /// <summary>Every file written so far: `{"&lt;file&gt;": {"bytes": n, "sha256": "…", …}}`, for the manifest.</summary>
    public JsonObject Files { get; } = [];

    public static string NamespaceDir(string root, string ns) => Path.Combine(root, ns);

    public static BackupWriter Begin(string root, string ns, DateTimeOffset time)
    {
        var namespaceDir = NamespaceDir(root, ns);
        CreateDirectory(namespaceDir);
        var workDir = Path.Combine(namespaceDir, $".{BackupNames.For(time, 1)}-{Guid.NewGuid():N}{PartialSuffix}");
        CreateDirectory(workDir);
        return new BackupWriter(namespaceDir, workDir, time);
    }

    /// <summary>A new file (mode 0600 from its creation) that hashes what is written; record it with <see cref="Record"/>.</summary>
    public HashingStream Create(string file) => new(new FileStream(Path.Combine(WorkDir, file), Options(FileMode.CreateNew)));

    /// <summary>Removes a file written in the work directory (a failed dump, a kind with no object).</summary>
    public void Discard(string file) => File.Delete(Path.Combine(WorkDir, file));

    /// <summary>Renames a file in the work directory (a dump that completed takes its final name).</summary>
    public void Rename(string from, string to) => File.Move(Path.Combine(WorkDir, from), Path.Combine(WorkDir, to));

    /// <summary>Adds a closed file to <see cref="Files"/>, with extra fields (count, kind…).</summary>
    public void Record(string file, HashingStream written, JsonObject? extra = null)
    {
        var entry = new JsonObject { ["bytes"] = written.BytesWritten, ["sha256"] = written.Sha256() };
        foreach (var (key, value) in extra ?? [])
        {
            entry[key] = value?.DeepClone();
        }

        Files[file] = entry;
    }

    public async Task WriteJsonAsync(string file, JsonNode content, JsonObject? extra, CancellationToken ct)
    {
        var stream = Create(file);
        await using (stream.ConfigureAwait(false))
        {
            await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                content.WriteTo(writer);
            }

            await stream.FlushAsync(ct);
        }

        Record(file, stream, extra);
    }

    /// <summary>
    /// Writes the manifest, renames the work directory to its final name (the start time; `-2`… when taken) and
    /// points `latest` at it. Returns the final directory.
    /// </summary>
    public async Task<string> CommitAsync(JsonObject manifest, CancellationToken ct)
    {
        manifest["files"] = Files.DeepClone();
        await using (var stream = new FileStream(Path.Combine(WorkDir, BackupValidation.ManifestFile), Options(FileMode.CreateNew)))
        await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            manifest.WriteTo(writer);
        }

        for (var attempt = 1; ; attempt++)
        {
            var final = Path.Combine(_namespaceDir, BackupNames.For(_time, attempt));
            if (Directory.Exists(final))
            {
                continue;
            }

            try
            {
                Directory.Move(WorkDir, final);
            }
            catch (IOException) when (Directory.Exists(final) && attempt < 100)
            {
                // Another backup of the same second took the name first: take the next one.
                continue;
            }

            _committed = true;
            var pointer = Path.Combine(_namespaceDir, LatestPointer);
            var temporary = pointer + PartialSuffix;
            await File.WriteAllTextAsync(temporary, Path.GetFileName(final) + "\n", ct);
            File.Move(temporary, pointer, overwrite: true);
            return final;
        }
    }

    /// <summary>Removes the work directory unless the backup was committed.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_committed && Directory.Exists(WorkDir))
        {
            Directory.Delete(WorkDir, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private static FileStreamOptions Options(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFileMode;
        }

        return options;
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, PrivateDirectoryMode);
        }
    }
}
