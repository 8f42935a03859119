using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Containers;

/// <summary>
/// The commands the simulated containers understand through pods/exec, as the real images would run them (`bash -c`
/// with the script — an RHSCL image's tools are found only by bash, through BASH_ENV — or the program's argv): the dumps ciupgrade's backup takes (mysqldump, pg_dump, the
/// redis dump.rdb, tar of a mounted volume), the documented restores (../shared/docs/restore.md §3: drop and
/// re-create then load a dump; a dump copied into the redis data directory, the old files moved aside;
/// BGREWRITEAOF and INFO; a volume emptied and a tar extracted into it; `rake zync:resync:domains`), and echo.
/// Data comes in on stdin framed by `head -c N`: exec's v4 WebSocket protocol cannot signal the end of stdin
/// (kubernetes/kubernetes#89899), so a command that reads to EOF would never end. A `$VAR` a script reads must be in
/// the container's env (else the tool fails as it would without a password); anything else is "command not found".
/// </summary>
public sealed partial class ContainerShell(Workloads workloads)
{
    /// <summary>The process <paramref name="command"/> starts in <paramref name="container"/> of <paramref name="pod"/>.</summary>
    public Func<ExecIo, CancellationToken, Task<ExecOutcome>> Start(IReadOnlyList<string> command, JsonObject pod, JsonObject container)
    {
        var ns = pod.Namespace();
        var dc = pod.Label("deploymentconfig") ?? string.Empty;
        var shell = command.Count >= 3 && command[0] is "sh" or "bash" or "/bin/sh" or "/bin/bash" && command[1] == "-c" ? command[0] : null;
        var script = shell is not null ? command[2] : string.Join(' ', command);
        if (shell is "sh" or "/bin/sh" && container.Str("image")?.Contains("/rhscl/", StringComparison.Ordinal) == true
            && SclTool().Match(script) is { Success: true } scl)
        {
            // Red Hat Software Collections images put their tools on PATH through BASH_ENV (sclorg Dockerfiles: "When bash
            // is started non-interactively ... source the content of this file"); bash started as sh reads no startup file.
            return Fail(127, $"sh: {scl.Groups[1].Value}: command not found");
        }

        var env = container["env"].Objects().Select(e => e.Str("name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (EnvReference().Matches(script).Select(m => m.Groups[1].Value).FirstOrDefault(v => !env.Contains(v)) is { } missing)
        {
            var tool = script.Contains("mysql", StringComparison.Ordinal) ? "mysql" : script.Contains("psql", StringComparison.Ordinal) || script.Contains("pg_dump", StringComparison.Ordinal) ? "pg" : "sh";
            return Fail(2, tool switch
            {
                "mysql" => $"{(script.Contains("mysqldump", StringComparison.Ordinal) ? "mysqldump: Got error: 1045: " : "ERROR 1045 (28000): ")}Access denied for user 'root'@'localhost' (using password: NO){(script.Contains("mysqldump", StringComparison.Ordinal) ? " when trying to connect" : string.Empty)}",
                "pg" => $"{(script.Contains("pg_dump", StringComparison.Ordinal) ? "pg_dump" : "psql")}: error: connection to server failed: FATAL:  database \"\" does not exist",
                _ => $"sh: {missing}: parameter not set",
            });
        }

        var data = workloads.In(ns);
        if (script.Contains("mysqldump", StringComparison.Ordinal) || script.Contains("pg_dump", StringComparison.Ordinal))
        {
            return Dump(ns, dc, data.Database(dc).Content, script.Contains("mysqldump", StringComparison.Ordinal) ? "mysqldump" : "pg_dump");
        }

        if (script == $"exec cat {RedisServer.DataDirectory}/{RedisServer.DumpFile}")
        {
            return data.Redis(dc).File(RedisServer.DumpFile) is { } rdb
                ? Dump(ns, dc, rdb, "redis")
                : Fail(1, $"cat: {RedisServer.DataDirectory}/{RedisServer.DumpFile}: No such file or directory");
        }

        if (TarCreate().Match(script) is { Success: true } create)
        {
            return Volume(pod, container, create.Groups["dir"].Value) is { } volume
                ? async (io, ct) =>
                {
                    await using var output = new StdoutStream(io);
                    await volume.WriteTarAsync(output, ct);
                    return ExecOutcome.Ok;
                }
                : Fail(2, $"tar: {create.Groups["dir"].Value}: Cannot open: No such file or directory");
        }

        if (MysqlLoad().Match(script) is { Success: true } mysql)
        {
            return Load(data.Database(dc), Size(mysql), mysql.Groups["drop"].Success, null);
        }

        if (PsqlLoad().Match(script) is { Success: true } psql)
        {
            return Load(data.Database(dc), Size(psql), psql.Groups["drop"].Success, psql.Groups["drop"].Success ? Connected(ns, dc) : null);
        }

        if (RedisCopy().Match(script) is { Success: true } copy)
        {
            return CopyIntoRedis(data.Redis(dc), copy);
        }

        if (script == "redis-cli BGREWRITEAOF")
        {
            return Text(() =>
            {
                data.Redis(dc).RewriteAof();
                return "Background append only file rewriting started\n";
            });
        }

        if (script == "redis-cli info persistence")
        {
            return Text(() => data.Redis(dc).InfoPersistence());
        }

        if (StorageRestore().Match(script) is { Success: true } restore)
        {
            return Volume(pod, container, restore.Groups["dir"].Value) is { } volume
                ? ExtractInto(volume, Size(restore))
                : Fail(1, $"sh: line 0: cd: {restore.Groups["dir"].Value}: No such file or directory");
        }

        if (script == "bundle exec rake zync:resync:domains")
        {
            return Text(() => workloads.ResyncDomains(ns));
        }

        var words = script.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.FirstOrDefault() == "echo"
            ? Text(() => string.Join(" ", words.Skip(1)) + "\n")
            : Fail(127, $"sh: {words.FirstOrDefault()}: command not found");
    }

    private static long Size(Match m) => long.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture);

    private static Func<ExecIo, CancellationToken, Task<ExecOutcome>> Fail(int code, string stderr) => (_, _) => Task.FromResult(new ExecOutcome(code, stderr));

    private static Func<ExecIo, CancellationToken, Task<ExecOutcome>> Text(Func<string> run) => async (io, ct) =>
    {
        await io.WriteAsync(Encoding.UTF8.GetBytes(run()), ct);
        return ExecOutcome.Ok;
    };

    /// <summary>A dump streamed out, or cut off after the failure knob's bytes with its exit code and stderr.</summary>
    private Func<ExecIo, CancellationToken, Task<ExecOutcome>> Dump(string ns, string dc, DataContent content, string tool) => async (io, ct) =>
    {
        var failure = workloads.Knobs.FailureFor(ns, dc);
        var length = failure is null ? content.Length : Math.Min(content.Length, failure.AfterBytes);
        var buffer = new byte[32 * 1024];
        for (long offset = 0; offset < length;)
        {
            var n = content.Read(offset, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)));
            await io.WriteAsync(buffer.AsMemory(0, n), ct);
            offset += n;
        }

        return failure is null ? ExecOutcome.Ok : new ExecOutcome(failure.ExitCode, failure.Stderr);
    };

    /// <summary>
    /// `[drop and re-create the database &&] head -c N | mysql|psql DB`: the statements are applied as they arrive, so
    /// a load cut off leaves the database with what was read until then (a rerun must load it again).
    /// </summary>
    private Func<ExecIo, CancellationToken, Task<ExecOutcome>> Load(SqlDatabase db, long size, bool drop, string? connected) => async (io, ct) =>
    {
        if (connected is not null)
        {
            // PostgreSQL refuses to drop a database with open sessions (dropdb.c: "is being accessed by other users").
            return new ExecOutcome(1, $"ERROR:  database is being accessed by other users\nDETAIL:  There are sessions using the database ({connected}).");
        }

        if (drop)
        {
            db.Drop();
        }

        var path = workloads.NewScratchFile();
        var created = new HashSet<string>(StringComparer.Ordinal);
        var lines = new LineScanner(line =>
        {
            if (SqlDatabase.CreatedTable(line) is { } table)
            {
                created.Add(table);
            }
        });
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true))
        {
            try
            {
                await io.ReadStdinAsync(size, async chunk =>
                {
                    lines.Add(chunk.Span);
                    await file.WriteAsync(chunk, ct);
                }, ct);
            }
            finally
            {
                await file.FlushAsync(CancellationToken.None);
                lines.End();
                db.Load(DataContent.FromFile(path, file.Length), created);
            }
        }

        return ExecOutcome.Ok;
    };

    /// <summary>The step chain of the redis copy: `cd DIR && head -c N > F && [if [ -e A ]; then] mv -f A B[; fi] && ...`.</summary>
    private Func<ExecIo, CancellationToken, Task<ExecOutcome>> CopyIntoRedis(RedisServer redis, Match copy) => async (io, ct) =>
    {
        var target = copy.Groups["file"].Value;
        var path = workloads.NewScratchFile();
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, useAsync: true))
        {
            try
            {
                await io.ReadStdinAsync(Size(copy), async chunk => await file.WriteAsync(chunk, ct), ct);
            }
            finally
            {
                await file.FlushAsync(CancellationToken.None);
                redis.SetFile(target, DataContent.FromFile(path, file.Length));
            }
        }

        foreach (Capture step in copy.Groups["step"].Captures)
        {
            var move = Move().Match(step.Value);
            var (from, to) = (move.Groups["from"].Value, move.Groups["to"].Value);
            if (redis.File(from) is { } content)
            {
                redis.SetFile(to, content);
                redis.SetFile(from, null);
            }
            else if (!move.Groups["if"].Success)
            {
                return new ExecOutcome(1, $"mv: cannot stat '{from}': No such file or directory");
            }
        }

        return ExecOutcome.Ok;
    };

    private static Func<ExecIo, CancellationToken, Task<ExecOutcome>> ExtractInto(StorageVolume volume, long size) => async (io, ct) =>
    {
        volume.Clear();
        await using var archive = new HeadStream(io, size);
        try
        {
            await volume.ExtractAsync(archive, ct);
        }
        catch (InvalidDataException e)
        {
            return new ExecOutcome(2, $"tar: {e.Message}\ntar: Error is not recoverable: exiting now");
        }

        return ExecOutcome.Ok;
    };

    /// <summary>Running pods of the DCs connected to this database (none may be, for DROP DATABASE), or null.</summary>
    private string? Connected(string ns, string dc)
    {
        string[] clients = dc == "zync-database" ? ["zync", "zync-que"] : ["system-app", "system-sidekiq", "system-sphinx"];
        var running = workloads.Registry.List("pods", ns).Items
            .Where(p => p.Label("deploymentconfig") is { } owner && clients.Contains(owner) && p["status"].Str("phase") == "Running")
            .Select(p => p.Name()).Order(StringComparer.Ordinal).ToList();
        return running.Count == 0 ? null : string.Join(", ", running);
    }

    /// <summary>The volume mounted at <paramref name="path"/> in the container: a PersistentVolumeClaim's files.</summary>
    private StorageVolume? Volume(JsonObject pod, JsonObject container, string path)
    {
        var mount = container["volumeMounts"].Objects().FirstOrDefault(m => m.Str("mountPath")?.TrimEnd('/') == path.TrimEnd('/'));
        var volume = pod["spec"]?["volumes"].Objects().FirstOrDefault(v => v.Str("name") == mount?.Str("name"));
        return volume?["persistentVolumeClaim"].Str("claimName") is { } claim ? workloads.In(pod.Namespace()).Volume(claim) : null;
    }

    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex EnvReference();

    [GeneratedRegex(@"(?:^|[\s;&|])(mysqldump|mysql|pg_dump|psql|redis-cli)\s")]
    private static partial Regex SclTool();

    [GeneratedRegex(@"^exec tar -C (?<dir>/[A-Za-z0-9/._-]+) -cf - \.$")]
    private static partial Regex TarCreate();

    [GeneratedRegex("""^export MYSQL_PWD="\$MYSQL_ROOT_PASSWORD"; (?<drop>mysql -u root -e "DROP DATABASE IF EXISTS \\`\$MYSQL_DATABASE\\`; CREATE DATABASE \\`\$MYSQL_DATABASE\\`" && )?head -c (?<size>[0-9]+) \| mysql -u root "\$MYSQL_DATABASE"$""")]
    private static partial Regex MysqlLoad();

    [GeneratedRegex("""^(?<drop>psql -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS \\"\$POSTGRESQL_DATABASE\\"" -c "CREATE DATABASE \\"\$POSTGRESQL_DATABASE\\" OWNER \\"\$POSTGRESQL_USER\\"" && )?head -c (?<size>[0-9]+) \| psql -v ON_ERROR_STOP=1 -q -d "\$POSTGRESQL_DATABASE"$""")]
    private static partial Regex PsqlLoad();

    [GeneratedRegex(@"^cd /var/lib/redis/data && head -c (?<size>[0-9]+) > (?<file>[A-Za-z0-9._-]+)(?: && (?<step>(?:if \[ -e [A-Za-z0-9._-]+ \]; then )?mv -f [A-Za-z0-9._-]+ [A-Za-z0-9._-]+(?:; fi)?))*$")]
    private static partial Regex RedisCopy();

    [GeneratedRegex(@"^(?<if>if \[ -e [A-Za-z0-9._-]+ \]; then )?mv -f (?<from>[A-Za-z0-9._-]+) (?<to>[A-Za-z0-9._-]+)(?:; fi)?$")]
    private static partial Regex Move();

    [GeneratedRegex(@"^cd (?<dir>/[A-Za-z0-9/._-]+) && find \. -mindepth 1 -delete && head -c (?<size>[0-9]+) \| tar -xf - --no-same-owner --no-overwrite-dir$")]
    private static partial Regex StorageRestore();

    /// <summary>Stdout as a write-only stream (for TarWriter).</summary>
    private sealed class StdoutStream(ExecIo io) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => io.WriteAsync(buffer.AsMemory(offset, count).ToArray(), CancellationToken.None).GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            await io.WriteAsync(buffer.ToArray(), cancellationToken);
    }

    /// <summary>`head -c N` of stdin as a read-only stream (for TarReader).</summary>
    private sealed class HeadStream(ExecIo io, long size) : Stream
    {
        private long _left = size;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0)
            {
                return 0;
            }

            var n = await io.Stdin.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Splits bytes into lines as they stream by (a line's first 256 bytes are enough to see what it creates).</summary>
    private sealed class LineScanner(Action<string> line)
    {
        private const int Kept = 256;
        private readonly StringBuilder _current = new();

        public void Add(ReadOnlySpan<byte> chunk)
        {
            while (chunk.Length > 0)
            {
                var end = chunk.IndexOf((byte)'\n');
                var part = end < 0 ? chunk : chunk[..end];
                if (_current.Length < Kept)
                {
                    _current.Append(Encoding.Latin1.GetString(part[..Math.Min(part.Length, Kept - _current.Length)]));
                }

                if (end < 0)
                {
                    return;
                }

                End();
                chunk = chunk[(end + 1)..];
            }
        }

        public void End()
        {
            if (_current.Length > 0)
            {
                line(_current.ToString());
            }

            _current.Clear();
        }
    }
}
