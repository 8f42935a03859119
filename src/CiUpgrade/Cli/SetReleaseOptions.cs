using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("set-release", HelpText = "Set the release env var (AMP_RELEASE) to the target on system-app (and its init containers that carry it) and wait for that rollout.")]
[VerbHelp(
    """
    Sets the release variable (AMP_RELEASE) to the target on every container of system-app, and on every init
    container that carries it, as oc set env does, with one guarded JSON patch (a ConfigMap reference becomes the
    literal value), and waits for that rollout. Sends nothing when it is already set.
    """,
    "0  the release is the target's and system-app rolled out",
    "2  bad flag, plan or kubeconfig",
    "3  API server unreachable, or access denied",
    "4  wrong release, missing objects, a DC not rolled out, or the lock held",
    "5  the rollout failed or timed out")]
public sealed class SetReleaseOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Set AMP_RELEASE=2.7 in namespace 3scale", HelpExamples.Style, new SetReleaseOptions { Namespace = "3scale" })];

    [Option("no-wait", HelpText = "Do not wait for the rollout.")]
    public bool NoWait { get; set; }

    [Option("dry-run", HelpText = "Send the patch with server-side dry run and print it; change nothing.")]
    public bool DryRun { get; set; }
}
