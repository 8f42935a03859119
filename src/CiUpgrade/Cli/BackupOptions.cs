using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("backup", HelpText = "Save the namespace into a new directory <backup-dir>/<namespace>/<time>/ (never overwriting one) with a manifest of its files, images and whether it is pre-upgrade.")]
[VerbHelp(
    """
    Saves the namespace into a new directory <backup-dir>/<namespace>/<UTC time>/, never overwriting one: every kind
    the migration guide backs up, one re-appliable file each, and with --databases a gzip-compressed dump of each
    database DC and an archive of system-storage. The manifest records files, checksums, images and whether the install was still pre-upgrade.
    """,
    "0  backup written",
    "2  bad flag, plan or kubeconfig, or --backup-dir not writable",
    "3  API server unreachable, or access denied",
    "4  image streams or DCs cannot be listed (rollback needs them)",
    "5  a database dump failed (the rest of the backup is kept)")]
public sealed class BackupOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Back up namespace 3scale with its databases", HelpExamples.Style, new BackupOptions { Namespace = "3scale", BackupDir = "backups", Databases = true })];

    [Option("backup-dir", Required = true, HelpText = "Directory that keeps the backups (sensitive: they hold Secrets).")]
    public string BackupDir { get; set; } = string.Empty;

    [Option("databases", HelpText = "Also dump each database (system-mysql, system-postgresql, zync-database, backend-redis, system-redis) and archive system-storage (system-app's /opt/system/public/system) through pods/exec, gzip-compressed: what rollback --restore-data loads. Also --databases=true|false.")]
    public bool Databases { get; set; }
}
