using CommandLine;

namespace CiUpgrade.Cli;

[Verb("preflight", HelpText = "Check access, release, Oracle, required objects and rollout health; exit 0 also when already upgraded.")]
public sealed class PreflightOptions : ClusterOptions
{
    [Option("system-image", HelpText = "For an Oracle-backed system: the amp-system image you built with the Oracle client.")]
    public string? SystemImage { get; set; }

    [Option("oracle-client-dir", HelpText = "For an Oracle-backed system: the system-oracle build context ciupgrade will upload; checked here.")]
    public string? OracleClientDir { get; set; }

    [Option("target-version", HelpText = "The release this run must reach (Tekton passes its target-version param): exit 4 when the plan targets another.")]
    public string? TargetVersion { get; set; }

    [Option("results-dir", HelpText = "Write Tekton results (current-release, target-release, oracle, already-upgraded) into this directory.")]
    public string? ResultsDir { get; set; }
}
