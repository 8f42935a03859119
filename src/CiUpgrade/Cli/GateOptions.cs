using CommandLine;

namespace CiUpgrade.Cli;

[Verb("gate", HelpText = "Fail (exit 1) unless verify's status result is Succeeded: the CI gate as its own step, so verify's results survive a failed gate.")]
public sealed class GateOptions : VerbOptions
{
    [Option("status", Required = true, HelpText = "verify's status result: Succeeded or Failed.")]
    public string Status { get; set; } = string.Empty;

    [Option("passed", HelpText = "verify's passed count, for the message.")]
    public string? Passed { get; set; }

    [Option("failed", HelpText = "verify's failed count, for the message.")]
    public string? Failed { get; set; }

    [Option("skipped", HelpText = "verify's skipped count, for the message.")]
    public string? Skipped { get; set; }

    [Option("output", Default = "text", HelpText = "text or json.")]
    public string Output { get; set; } = "text";
}
