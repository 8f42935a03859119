using System.Text;
using System.Text.RegularExpressions;

namespace CiUpgrade.Simulator.Containers;

/// <summary>
/// A database of a database pod (system-mysql, system-postgresql, zync-database) as its dump prints it: a dump is
/// the stored bytes, and a restore stores exactly the bytes loaded, so bytes in = bytes out. Which tables exist and
/// which schema migrations ran (Rails' `schema_migrations`) are read from those bytes. Loading a dump re-creates the
/// tables it holds (mysqldump's and `pg_dump --clean`'s DROP TABLE + CREATE TABLE) and leaves every other table in
/// place — so tables a later migration added survive a plain load, and only dropping the database first removes
/// them (../shared/docs/restore.md §3.2 and §5). Thread-safe.
/// </summary>
public sealed partial class SqlDatabase
{
    private readonly Lock _lock = new();
    private DataContent _base;
    private IReadOnlyList<Block> _blocks = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SqlDatabase(string dialect, DataContent seed)
    {
        Dialect = dialect;
        _base = seed;
    }

    /// <summary>"mysql" or "postgresql": how table names are quoted in the dump.</summary>
    public string Dialect { get; }

    /// <summary>What a dump prints now.</summary>
    public DataContent Content
    {
        get
        {
            lock (_lock)
            {
                return _blocks.Aggregate(_base, (content, block) => content.Append(Encoding.UTF8.GetBytes(block.Text)));
            }
        }
    }

    public IReadOnlySet<string> Tables => Content.TextLines(l => l.StartsWith("CREATE TABLE ", StringComparison.Ordinal))
        .Select(l => TableName().Match(l).Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The schema_migrations versions, in dump order.</summary>
    public IReadOnlyList<string> Migrations => Content.TextLines(l => l.Contains("schema_migrations", StringComparison.Ordinal) && l.StartsWith("INSERT INTO ", StringComparison.Ordinal))
        .Select(l => MigrationVersion().Match(l).Groups[1].Value).Where(v => v.Length > 0).ToList();

    /// <summary>Completes at the next change (a drop, a load, a migration): for tests to wait on instead of polling.</summary>
    public Task NextChange
    {
        get { lock (_lock) { return _changed.Task; } }
    }

    /// <summary>How many changes so far.</summary>
    public int Changes => Volatile.Read(ref _changes);

    private int _changes;

    private void Pulse()
    {
        Interlocked.Increment(ref _changes);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>DROP DATABASE (then CREATE DATABASE): nothing left.</summary>
    public void Drop()
    {
        lock (_lock)
        {
            _base = DataContent.Empty;
            _blocks = [];
            Pulse();
        }
    }

    /// <summary>
    /// The database after loading <paramref name="loaded"/> (a dump): the tables it creates replace those of the same
    /// name, rows it inserts into a table it does not create are added, every other appended table is kept.
    /// </summary>
    /// <param name="created">The tables <paramref name="loaded"/> creates (<see cref="CreatedTable"/> of each line, read as it streamed in).</param>
    public void Load(DataContent loaded, IReadOnlySet<string> created)
    {
        lock (_lock)
        {
            // What the old base held beyond the loaded dump's tables is not modelled row by row: the base is the seed or an
            // earlier dump of the same install, so it holds the same tables; the appended blocks are what a migration added.
            _base = loaded;
            _blocks = _blocks.Where(b => !created.Contains(b.Table)).ToList();
            Pulse();
        }
    }

    /// <summary>The table a dump line creates, or null.</summary>
    public static string? CreatedTable(string line) =>
        line.StartsWith("CREATE TABLE ", StringComparison.Ordinal) && TableName().Match(line) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>A migration: each block is a table it creates (with its rows) or rows it adds to an existing table.</summary>
    public void Apply(IEnumerable<Block> blocks)
    {
        lock (_lock)
        {
            _blocks = [.. _blocks, .. blocks.Where(b => !_blocks.Contains(b))];
            Pulse();
        }
    }

    /// <summary>The SQL of one table in this dialect: a CREATE TABLE with its rows (or rows only when <paramref name="rowsOnly"/>).</summary>
    public Block Table(string table, IEnumerable<string> rows, bool rowsOnly = false)
    {
        var name = Dialect == "mysql" ? $"`{table}`" : $"public.{table}";
        var text = new StringBuilder();
        if (!rowsOnly)
        {
            text.Append($"DROP TABLE IF EXISTS {name};\n");
            text.Append($"CREATE TABLE {name} (id bigint NOT NULL, value varchar(255));\n");
        }

        foreach (var row in rows)
        {
            text.Append($"INSERT INTO {name} VALUES ({row});\n");
        }

        return new Block(table, text.ToString());
    }

    /// <summary>The seed's first lines: a dump header, schema_migrations with the 2.6 versions, and the `rows` table the generated rows fill.</summary>
    public static string SeedHeader(string dialect, IEnumerable<string> migrations)
    {
        var text = new StringBuilder(dialect == "mysql"
            ? "-- MySQL dump 10.13  Distrib 5.7.24, for Linux (x86_64)\n--\n-- Host: localhost    Database: system\n-- ------------------------------------------------------\n"
            : "--\n-- PostgreSQL database dump\n--\n");
        var migrationsTable = dialect == "mysql" ? "`schema_migrations`" : "public.schema_migrations";
        text.Append($"DROP TABLE IF EXISTS {migrationsTable};\nCREATE TABLE {migrationsTable} (version varchar(255) NOT NULL);\n");
        foreach (var version in migrations)
        {
            text.Append($"INSERT INTO {migrationsTable} VALUES ('{version}');\n");
        }

        var rows = dialect == "mysql" ? "`rows`" : "public.rows";
        text.Append($"DROP TABLE IF EXISTS {rows};\nCREATE TABLE {rows} (id bigint NOT NULL, value varchar(255));\n");
        return text.ToString();
    }

    [GeneratedRegex(@"^CREATE TABLE `?(?:public\.)?([A-Za-z0-9_]+)")]
    private static partial Regex TableName();

    [GeneratedRegex(@"VALUES \('([0-9]+)'\)")]
    private static partial Regex MigrationVersion();

    /// <summary>The SQL of one table a migration touched.</summary>
    public sealed record Block(string Table, string Text);
}
