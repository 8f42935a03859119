using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("patch-imagestreams", HelpText = "Add the target tag and point latest at it on every image stream of the plan, waiting for each stream's rollouts.")]
[VerbHelp(
    """
    For each image stream of the plan, in order: adds the target tag and points latest at it with a guarded JSON
    patch, waits for the import, then for the DCs the stream rolls out. Refuses amp-system while the pre hook is not
    the target's. An Oracle-backed install rebuilds amp-system instead (as build-oracle-system).
    """,
    "0  every stream patched and its DCs rolled out (or nothing left to do)",
    "2  bad flag, plan or kubeconfig",
    "3  API server unreachable, or access denied",
    "4  not upgradable as it is, a failed import, the hook not yet the target's, a manual trigger, or the lock held",
    "5  a rollout or the Oracle build failed or timed out")]
public sealed class PatchImageStreamsOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Patch every stream in namespace 3scale and wait for the rollouts", HelpExamples.Style, new PatchImageStreamsOptions { Namespace = "3scale" })];

    [Option("no-wait", HelpText = "Do not wait for imports and rollouts after each stream.")]
    public bool NoWait { get; set; }

    [Option("dry-run", HelpText = "Send every patch with server-side dry run and print it; change nothing.")]
    public bool DryRun { get; set; }

    [Option("system-image", HelpText = "The amp-system image to tag instead of the plan's (a mirror, a disconnected registry, an Oracle image built elsewhere); recorded on the target tag, so verify and drift judge against it.")]
    public string? SystemImage { get; set; }

    [Option("oracle", HelpText = "Treat the install as Oracle-backed even if preflight did not detect it: rebuild amp-system with the Oracle client.")]
    public bool Oracle { get; set; }

    [Option("oracle-client-dir", HelpText = "Oracle-backed system: the system-oracle build context (Dockerfile, oracle-client-files/ with the Instant Client basic or basiclite, sdk and odbc zips).")]
    public string? OracleClientDir { get; set; }
}
