using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("plan", HelpText = "Read-only: print, in order, every patch the forward stages would send (checked with server-side dry run), the DCs each rolls out, and every preflight problem.")]
[VerbHelp(
    """
    Prints, changing nothing, the steps the forward stages would take, in order: each JSON patch (validated with a
    server-side dry run where the server has one, Kubernetes 1.13 and later; on OpenShift 3.11 none is sent), the
    DCs each rolls out, and the preflight problem that would stop the run.
    """,
    "0  nothing would stop the run",
    "2  bad flag, plan or kubeconfig",
    "3  API server unreachable, or a permission the chain needs denied",
    "4  the preflight problem that would stop the run (named)")]
public sealed class PlanOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Show what the upgrade of namespace 3scale would send, as JSON lines", HelpExamples.Style, new PlanOptions { Namespace = "3scale", Output = "json" })];

    [Option("system-image", HelpText = "For an Oracle-backed system: the amp-system image you built with the Oracle client.")]
    public string? SystemImage { get; set; }

    [Option("oracle-client-dir", HelpText = "For an Oracle-backed system: the system-oracle build context patch-imagestreams would upload.")]
    public string? OracleClientDir { get; set; }
}
