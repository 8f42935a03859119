using CommandLine;

namespace CiUpgrade.Cli;

[Verb("backup", HelpText = "Save the namespace into a new directory <backup-dir>/<namespace>/<time>/ (never overwriting one) with a manifest of its files, images and whether it is pre-upgrade.")]
public sealed class BackupOptions : ClusterOptions
{
    [Option("backup-dir", Required = true, HelpText = "Directory that keeps the backups (sensitive: they hold Secrets).")]
    public string BackupDir { get; set; } = string.Empty;

    [Option("databases", HelpText = "Also dump each database (system-mysql, system-postgresql, zync-database, backend-redis, system-redis) through pods/exec, gzip-compressed. Also --databases=true|false.")]
    public bool Databases { get; set; }
}
