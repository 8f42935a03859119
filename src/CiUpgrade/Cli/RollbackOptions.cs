using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("rollback", HelpText = "Return the install to its newest pre-upgrade backup: image stream tags, system-app's pre hook and release, and with --restore-data the data too.")]
[VerbHelp(
    """
    Returns each plan stream's tags, system-app's pre hook and its AMP_RELEASE to the newest pre-upgrade backup under
    --backup-dir (or the one backup it names; with --run-id, only one this run took), then waits until the plan's DCs
    run the images the backup recorded. First it reads from the cluster whether the target's migration has run on the
    system database (a deployment of system-app ran the target's pre hook on the target's image). Not run: the images
    alone go back. Run: refused (exit 4, nothing changed) unless --restore-data, which also restores the system
    database, system-storage, zync-database, backend-redis and system-redis from the backup's dumps (backup --databases)
    in Red Hat's documented order; everything written after the backup is lost. Checks the backup first; sends nothing
    when there is nothing to restore.
    """,
    "0  restored and rolled out, or nothing to restore",
    "2  bad flag, plan or kubeconfig, or no usable pre-upgrade backup, or one without the dumps --restore-data needs (the backup and the problem named)",
    "3  API server unreachable, or access denied",
    "4  wrong release, missing objects, an Oracle-backed install, the lock held, or the migration has run and --restore-data was not given",
    "5  a rollout, a load or a restore step failed or timed out")]
public sealed class RollbackOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples =>
    [
        new("Roll namespace 3scale back to its newest pre-upgrade backup", HelpExamples.Style, new RollbackOptions { Namespace = "3scale", BackupDir = "backups" }),
        new("The same once the 2.7 migration has run: the data too, from the backup's dumps", HelpExamples.Style, new RollbackOptions { Namespace = "3scale", BackupDir = "backups", RestoreData = true }),
    ];

    [Option("backup-dir", Required = true, HelpText = "The backup stage's --backup-dir (the newest pre-upgrade backup of the namespace is used), or one backup's directory.")]
    public string BackupDir { get; set; } = string.Empty;

    [Option("restore-data", HelpText = "When the target's migration has run: also restore the system database, system-storage, zync-database, backend-redis and system-redis from the backup's dumps (taken with backup --databases), in Red Hat's documented order, writers scaled down meanwhile; resumable after a kill (progress in ConfigMap ciupgrade-restore). Also --restore-data=true|false.")]
    public bool RestoreData { get; set; }

    [Option("dry-run", HelpText = "Print which rollback would run and every step, patch and data set it would load; send nothing.")]
    public bool DryRun { get; set; }

    [Option("keep-target-tag", HelpText = "Keep tags the backup did not have (the target tag); by default they are removed.")]
    public bool KeepTargetTag { get; set; }

    [Option("no-wait", HelpText = "Do not wait for the rollouts (not with --restore-data, whose steps wait for each other).")]
    public bool NoWait { get; set; }
}
