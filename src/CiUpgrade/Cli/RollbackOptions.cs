using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("rollback", HelpText = "Restore the image stream tags and the release env var of the newest pre-upgrade backup, and wait for the rollouts.")]
[VerbHelp(
    """
    Returns each plan stream's tags, system-app's pre hook and its AMP_RELEASE to the newest pre-upgrade backup under
    --backup-dir (or the one backup it names; with --run-id, only one this run took), then waits until every DC runs
    the images the backup recorded. Checks the backup first; sends nothing when there is nothing to restore.
    """,
    "0  restored and rolled out, or nothing to restore",
    "2  bad flag, plan or kubeconfig, or no usable pre-upgrade backup (the backup and the problem named)",
    "3  API server unreachable, or access denied",
    "4  wrong release, missing objects, an Oracle-backed install, or the lock held",
    "5  a rollout failed or timed out")]
public sealed class RollbackOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Roll namespace 3scale back to its newest pre-upgrade backup", HelpExamples.Style, new RollbackOptions { Namespace = "3scale", BackupDir = "backups" })];

    [Option("backup-dir", Required = true, HelpText = "The backup stage's --backup-dir (the newest pre-upgrade backup of the namespace is used), or one backup's directory.")]
    public string BackupDir { get; set; } = string.Empty;

    [Option("keep-target-tag", HelpText = "Keep tags the backup did not have (the target tag); by default they are removed.")]
    public bool KeepTargetTag { get; set; }

    [Option("no-wait", HelpText = "Do not wait for the rollouts.")]
    public bool NoWait { get; set; }
}
