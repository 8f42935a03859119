using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("build-oracle-system", HelpText = "Oracle-backed system: add the target tag to amp-system, base the Oracle BuildConfig on it, run the binary build with the Oracle client, wait for the system DCs.")]
[VerbHelp(
    """
    The Oracle path for amp-system: tags the target release on amp-system, bases the BuildConfig
    3scale-amp-system-oracle on it, uploads --oracle-client-dir as a binary build (as oc start-build --from-dir) and
    waits for the build, then for system-app, system-sidekiq and system-sphinx to roll out the image it pushed.
    A rerun follows a build an earlier run left running, and starts a fresh one when that build ends Cancelled.
    An upload refused on the way (a proxy's 413) is named with its size; the API server itself takes any size.
    """,
    "0  built and rolled out, or a build on the target base already made amp-system:latest",
    "2  bad flag, plan or kubeconfig; --oracle-client-dir missing or lacking a package",
    "3  API server unreachable, or access denied",
    "4  not Oracle-backed, not upgradable as it is, or the lock held",
    "5  the build failed, was cancelled or timed out, the upload was refused (named with its size), or a rollout failed")]
public sealed class BuildOracleSystemOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Rebuild the Oracle system image in namespace 3scale", HelpExamples.Style, new BuildOracleSystemOptions { Namespace = "3scale", OracleClientDir = "system-oracle" })];

    [Option("oracle-client-dir", HelpText = "The system-oracle build context to upload: its Dockerfile, and oracle-client-files/ with the Instant Client basic or basiclite, sdk and odbc zips.")]
    public string? OracleClientDir { get; set; }

    [Option("force", HelpText = "Build again even when a build on the target base already made amp-system:latest.")]
    public bool Force { get; set; }

    [Option("no-wait", HelpText = "Do not wait for the system DCs to roll out the new image.")]
    public bool NoWait { get; set; }
}
