using CommandLine;

namespace CiUpgrade.Cli;

[Verb("build-oracle-system", HelpText = "Oracle-backed system: add the target tag to amp-system, base the Oracle BuildConfig on it, run the binary build with the Oracle client, wait for the system DCs.")]
public sealed class BuildOracleSystemOptions : ClusterOptions
{
    [Option("oracle-client-dir", HelpText = "The system-oracle build context to upload: its Dockerfile, and oracle-client-files/ with the Instant Client basic or basiclite, sdk and odbc zips.")]
    public string? OracleClientDir { get; set; }

    [Option("force", HelpText = "Build again even when a build on the target base already made amp-system:latest.")]
    public bool Force { get; set; }

    [Option("no-wait", HelpText = "Do not wait for the system DCs to roll out the new image.")]
    public bool NoWait { get; set; }
}
