using CommandLine;

namespace CiUpgrade.Cli;

[Verb("rollback", HelpText = "Restore the image stream tags and the release env var of the newest pre-upgrade backup, and wait for the rollouts.")]
public sealed class RollbackOptions : ClusterOptions
{
    [Option("backup-dir", Required = true, HelpText = "The backup stage's --backup-dir (the newest pre-upgrade backup of the namespace is used), or one backup's directory.")]
    public string BackupDir { get; set; } = string.Empty;


    [Option("keep-target-tag", HelpText = "Keep tags the backup did not have (the target tag); by default they are removed.")]
    public bool KeepTargetTag { get; set; }

    [Option("no-wait", HelpText = "Do not wait for the rollouts.")]
    public bool NoWait { get; set; }
}
