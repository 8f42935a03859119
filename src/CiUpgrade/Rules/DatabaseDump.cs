namespace CiUpgrade.Rules;

/// <summary>
/// How the database of one DeploymentConfig is dumped through `oc exec`, as the 3scale backup procedure does it
/// with `oc rsh` (2.6 guide: mysqldump of the system database, pg_dump, the redis dump.rdb that `oc cp` copies).
/// The command runs under `bash -c` in the database container, as the guide's `oc rsh <pod> bash -c '…'`: the Red Hat
/// Software Collections images put mysqldump, pg_dump, psql and redis-cli on PATH only through BASH_ENV, which bash
/// reads when started non-interactively and `sh` does not (sclorg mysql-container Dockerfile.rhel7). The credentials
/// come from the container's own environment (the template's MYSQL_ROOT_PASSWORD, MYSQL_DATABASE,
/// POSTGRESQL_DATABASE): they never pass through ciupgrade's arguments, requests or output. MySQL's password goes
/// through MYSQL_PWD, not the command line.
/// </summary>
public sealed record DatabaseDump(string DeploymentConfig, string Tool, string File, IReadOnlyList<string> Command)
{
    /// <summary>The database DCs of a template install, in the order they are dumped.</summary>
    public static IReadOnlyList<DatabaseDump> All { get; } =
    [
        new("system-mysql", "mysqldump", "system-mysql.sql.gz",
            Shell("export MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\"; exec mysqldump --single-transaction --routines --triggers -u root \"$MYSQL_DATABASE\"")),
        // The RHSCL PostgreSQL image lets the container's own user in over the local socket (the guide's
        // `oc rsh … pg_dumpall` passes no password either).
        new("system-postgresql", "pg_dump", "system-postgresql.sql.gz", Shell("exec pg_dump --clean --if-exists \"$POSTGRESQL_DATABASE\"")),
        new("zync-database", "pg_dump", "zync-database.sql.gz", Shell("exec pg_dump --clean --if-exists \"$POSTGRESQL_DATABASE\"")),
        // The snapshot redis last saved (its config saves on a schedule), the file the guide copies with `oc cp`.
        new("backend-redis", "redis dump.rdb", "backend-redis.rdb.gz", Shell("exec cat /var/lib/redis/data/dump.rdb")),
        new("system-redis", "redis dump.rdb", "system-redis.rdb.gz", Shell("exec cat /var/lib/redis/data/dump.rdb")),
    ];

    public static string[] Shell(string script) => ["bash", "-c", script];
}
