using CommandLine;

namespace CiUpgrade.Cli;

[Verb("rollback", HelpText = "Restore the image stream tags and the release env var a backup holds, and wait for the rollouts.")]
public sealed class RollbackOptions : ClusterOptions
{
    [Option("backup-dir", Required = true, HelpText = "Directory written by the backup stage.")]
    public string BackupDir { get; set; } = string.Empty;

    [Option("keep-target-tag", HelpText = "Keep tags the backup did not have (the target tag); by default they are removed.")]
    public bool KeepTargetTag { get; set; }

    [Option("no-wait", HelpText = "Do not wait for the rollouts.")]
    public bool NoWait { get; set; }
}
