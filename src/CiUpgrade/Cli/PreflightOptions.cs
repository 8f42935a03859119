using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("preflight", HelpText = "Check access, release, Oracle, required objects and rollout health; exit 0 also when already upgraded.")]
[VerbHelp(
    """
    Checks, changing nothing, that the upgrade can run: the API server and every permission the chain needs, a 3scale
    install at the plan's source release (or already at the target: says so, exit 0), the image streams and DCs the
    plan needs, every DC rolled out, no manual image trigger, the pre hook, and an Oracle-backed install's build inputs.
    """,
    "0  ready to upgrade, or already upgraded",
    "2  bad flag, plan or kubeconfig; --oracle-client-dir lacks an Instant Client package",
    "3  API server unreachable, or a permission the chain needs denied (each named)",
    "4  the install cannot be upgraded as it is (each problem named), or another run holds the lock past --timeout")]
public sealed class PreflightOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Check the 3scale install in namespace 3scale", HelpExamples.Style, new PreflightOptions { Namespace = "3scale" })];

    [Option("system-image", HelpText = "For an Oracle-backed system: the amp-system image you built with the Oracle client.")]
    public string? SystemImage { get; set; }

    [Option("oracle-client-dir", HelpText = "For an Oracle-backed system: the system-oracle build context ciupgrade will upload; checked here.")]
    public string? OracleClientDir { get; set; }

    [Option("target-version", HelpText = "The release this run must reach (Tekton passes its target-version param): exit 4 when the plan targets another.")]
    public string? TargetVersion { get; set; }

    [Option("results-dir", HelpText = "Write Tekton results (current-release, target-release, oracle, already-upgraded) into this directory.")]
    public string? ResultsDir { get; set; }
}
