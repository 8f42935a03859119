using CommandLine;

namespace CiUpgrade.Cli;

[Verb("plan", HelpText = "Read-only: print, in order, every patch the forward stages would send (checked with server-side dry run), the DCs each rolls out, and every preflight problem.")]
public sealed class PlanOptions : ClusterOptions
{
    [Option("system-image", HelpText = "For an Oracle-backed system: the amp-system image you built with the Oracle client.")]
    public string? SystemImage { get; set; }

    [Option("oracle-client-dir", HelpText = "For an Oracle-backed system: the system-oracle build context patch-imagestreams would upload.")]
    public string? OracleClientDir { get; set; }
}
