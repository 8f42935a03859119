using CommandLine;

namespace CiUpgrade.Cli;

[Verb("set-release", HelpText = "Set the release env var (AMP_RELEASE) to the target on system-app and wait for that rollout.")]
public sealed class SetReleaseOptions : ClusterOptions
{
    [Option("no-wait", HelpText = "Do not wait for the rollout.")]
    public bool NoWait { get; set; }

    [Option("dry-run", HelpText = "Send the patch with server-side dry run and print it; change nothing.")]
    public bool DryRun { get; set; }
}
