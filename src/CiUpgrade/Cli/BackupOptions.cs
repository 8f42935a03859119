using CommandLine;

namespace CiUpgrade.Cli;

[Verb("backup", HelpText = "Save the image streams and DeploymentConfigs (JSON) and a manifest of the images they run.")]
public sealed class BackupOptions : ClusterOptions
{
    [Option("backup-dir", Required = true, HelpText = "Directory for the backup.")]
    public string BackupDir { get; set; } = string.Empty;

    [Option("force", HelpText = "Overwrite a backup of another release or namespace.")]
    public bool Force { get; set; }
}
