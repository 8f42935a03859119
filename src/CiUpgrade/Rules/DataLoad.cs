namespace CiUpgrade.Rules;

/// <summary>
/// How each data set of a backup goes back into its pod through pods/exec stdin, as the documented restore loads it
/// (../shared/docs/restore.md §3), under `bash -c` so the RHSCL tools are found (<see cref="DatabaseDump"/>) and with
/// the credentials expanded inside the pod. The data comes framed by `head -c BYTES`: exec's WebSocket protocol
/// v4.channel.k8s.io (what KubernetesClient speaks, and all OpenShift 3.11 has) cannot close stdin
/// (kubernetes/kubernetes#89899, kubernetes-client/csharp#1723), so a command reading to EOF would never end; the
/// uncompressed size is the manifest's `bytes`, checked against the file before anything is sent.
/// </summary>
public static class DataLoad
{
    /// <summary>
    /// The system database (system-mysql): the `system` schema dropped and re-created first, so tables the 2.7
    /// migration added do not survive the load (a single-database mysqldump re-creates only the tables it holds: §3.2,
    /// §5); grants on the schema survive DROP DATABASE (MySQL reference manual, DROP DATABASE). Root through MYSQL_PWD.
    /// </summary>
    public static IReadOnlyList<string> Mysql(long bytes) => DatabaseDump.Shell(
        "export MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\"; mysql -u root -e \"DROP DATABASE IF EXISTS \\`$MYSQL_DATABASE\\`; CREATE DATABASE \\`$MYSQL_DATABASE\\`\" && " +
        $"head -c {bytes} | mysql -u root \"$MYSQL_DATABASE\"");

    /// <summary>
    /// A PostgreSQL database (system-postgresql, zync-database): dropped and re-created, owned by the template's user,
    /// then the `pg_dump --clean --if-exists` dump loaded, stopping at the first error. DROP DATABASE refuses while
    /// clients are connected, which is why their DCs are scaled to 0 first (§3.3, §3.5).
    /// </summary>
    public static IReadOnlyList<string> Postgresql(long bytes) => DatabaseDump.Shell(
        "psql -v ON_ERROR_STOP=1 -d postgres -c \"DROP DATABASE IF EXISTS \\\"$POSTGRESQL_DATABASE\\\"\" -c \"CREATE DATABASE \\\"$POSTGRESQL_DATABASE\\\" OWNER \\\"$POSTGRESQL_USER\\\"\" && " +
        $"head -c {bytes} | psql -v ON_ERROR_STOP=1 -q -d \"$POSTGRESQL_DATABASE\"");

    /// <summary>
    /// A redis dump.rdb into the data directory of a redis running without persistence (§3.6 steps 3-4): written
    /// beside, the live appendonly.aof and dump.rdb moved aside (`-old`), then renamed into place.
    /// </summary>
    public static IReadOnlyList<string> Redis(long bytes) => DatabaseDump.Shell(
        $"cd /var/lib/redis/data && head -c {bytes} > dump.rdb.ciupgrade && " +
        "if [ -e appendonly.aof ]; then mv -f appendonly.aof appendonly.aof-old; fi && " +
        "if [ -e dump.rdb ]; then mv -f dump.rdb dump.rdb-old; fi && mv -f dump.rdb.ciupgrade dump.rdb");

    /// <summary>The load command of a database DC's dump, or null for a DC this stage does not know.</summary>
    public static IReadOnlyList<string>? ForDatabase(string dc, long bytes) => dc switch
    {
        "system-mysql" => Mysql(bytes),
        "system-postgresql" or "zync-database" => Postgresql(bytes),
        "backend-redis" or "system-redis" => Redis(bytes),
        _ => null,
    };
}
