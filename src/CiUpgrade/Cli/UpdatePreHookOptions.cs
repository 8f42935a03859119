using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("update-prehook", HelpText = "Set system-app's pre-deployment hook to the target release's migration command (token from secret system-seed); starts no rollout.")]
[VerbHelp(
    """
    Sets system-app's pre-deployment hook to the target release's migration command (the guide's step 2.2), with
    the master access token read from secret system-seed and never printed. Starts no rollout: the hook first runs
    when patch-imagestreams rolls system-app out on the new image. A customised hook is refused unless --force.
    """,
    "0  the hook is the target's (changed, or already)",
    "2  bad flag, plan or kubeconfig",
    "3  API server unreachable, or access denied",
    "4  wrong release, missing objects, secret or token, a customised hook (without --force), or the lock held")]
public sealed class UpdatePreHookOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Set the 2.7 migration hook in namespace 3scale", HelpExamples.Style, new UpdatePreHookOptions { Namespace = "3scale" })];

    [Option("force", HelpText = "Replace a customised hook command (neither the source's nor the target's) with the target's.")]
    public bool Force { get; set; }

    [Option("dry-run", HelpText = "Send the patch with server-side dry run and print it (token shown as ***); change nothing.")]
    public bool DryRun { get; set; }
}
