using CommandLine;

namespace CiUpgrade.Cli;

[Verb("patch-imagestreams", HelpText = "Add the target tag and point latest at it on every image stream of the plan, waiting for each stream's rollouts.")]
public sealed class PatchImageStreamsOptions : ClusterOptions
{
    [Option("no-wait", HelpText = "Do not wait for imports and rollouts after each stream.")]
    public bool NoWait { get; set; }

    [Option("dry-run", HelpText = "Send every patch with server-side dry run and print it; change nothing.")]
    public bool DryRun { get; set; }

    [Option("system-image", HelpText = "For an Oracle-backed system: the amp-system image to tag instead of the plan's.")]
    public string? SystemImage { get; set; }

    [Option("oracle", HelpText = "Treat the install as Oracle-backed even if preflight did not detect it: rebuild amp-system with the Oracle client.")]
    public bool Oracle { get; set; }

    [Option("oracle-client-dir", HelpText = "Oracle-backed system: the system-oracle build context (Dockerfile, oracle-client-files/ with the Instant Client basic or basiclite, sdk and odbc zips).")]
    public string? OracleClientDir { get; set; }
}
