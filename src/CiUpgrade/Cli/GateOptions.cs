using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("gate", HelpText = "Fail (exit 1) unless verify's status result is Succeeded: the CI gate as its own step, so verify's results survive a failed gate.")]
[VerbHelp(
    """
    The CI gate on verify's Tekton results, as its own step: Tekton publishes results only from successful
    TaskRuns, so verify succeeds with its counts and this fails the run. Passes only on status Succeeded; no
    cluster access.
    """,
    "0  status Succeeded",
    "1  any other status (Failed, empty, unknown)",
    "2  bad flag")]
public sealed class GateOptions : VerbOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples => [new("Gate on verify's results", HelpExamples.Style, new GateOptions { Status = "Succeeded", Passed = "15", Failed = "0", Skipped = "1" })];

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
