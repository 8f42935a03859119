using CommandLine;

namespace CiUpgrade.Cli;

[Verb("demo", HelpText = "Run preflight, backup, patch-imagestreams, set-release and verify against an embedded simulated cluster.")]
public sealed class DemoOptions
{
    [Option("junit", Default = "out/verify-junit.xml", HelpText = "Where to write the JUnit XML report.")]
    public string Junit { get; set; } = "out/verify-junit.xml";

    [Option("output", Default = "text", HelpText = "text or json.")]
    public string Output { get; set; } = "text";
}
