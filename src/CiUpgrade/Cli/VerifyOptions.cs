using CommandLine;

namespace CiUpgrade.Cli;

[Verb("verify", HelpText = "Check that every DeploymentConfig runs a digest-pinned image from the target registry; write JUnit. Exit 1 on failure.")]
public sealed class VerifyOptions : ClusterOptions
{
    [Option("junit", Default = "verify-junit.xml", HelpText = "Where to write the JUnit XML report.")]
    public string Junit { get; set; } = "verify-junit.xml";

    [Option("results-dir", HelpText = "Write Tekton results (passed, failed, skipped, status) into this directory.")]
    public string? ResultsDir { get; set; }

    [Option("write-baseline", HelpText = "Also record the images every DeploymentConfig runs, for `drift --baseline`.")]
    public string? WriteBaseline { get; set; }
}
