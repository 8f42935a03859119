using CommandLine;

namespace CiUpgrade.Cli;

[Verb("update-prehook", HelpText = "Set system-app's pre-deployment hook to the target release's migration command (token from secret system-seed); starts no rollout.")]
public sealed class UpdatePreHookOptions : ClusterOptions
{
    [Option("force", HelpText = "Replace a customised hook command (neither the source's nor the target's) with the target's.")]
    public bool Force { get; set; }

    [Option("dry-run", HelpText = "Send the patch with server-side dry run and print it (token shown as ***); change nothing.")]
    public bool DryRun { get; set; }
}
