using CiUpgrade.Cli;
using CiUpgrade.Reporting;

namespace CiUpgrade.Stages;

/// <summary>
/// The CI gate on verify's results, run after verify rather than inside it: Tekton publishes pipeline results
/// only from successful TaskRuns, so verify's TaskRun succeeds with its counts and this step fails the run.
/// Anything but exactly "Succeeded" fails: the gate never passes on a status it does not understand.
/// </summary>
public static class GateStage
{
    private const string Stage = "gate";

    public static ExitCode Run(GateOptions options, TextWriter stdout)
    {
        if (options.Output is not ("text" or "json"))
        {
            throw new UsageException($"--output \"{options.Output}\" is not supported: use text or json");
        }

        var counts = $"{Count(options.Passed)} passed, {Count(options.Failed)} failed, {Count(options.Skipped)} skipped";
        if (options.Status == "Succeeded")
        {
            new Reporter(stdout, options.Output == "json", TimeProvider.System).Event(Stage, "passed", $"verification succeeded: {counts}");
            return ExitCode.Success;
        }

        throw new UpgradeException(ExitCode.VerificationFailed, options.Status == "Failed"
            ? $"verification failed: {counts} (the JUnit report in the reports workspace names each failed DeploymentConfig)"
            : $"verify reported status \"{options.Status}\", not Succeeded or Failed: treating it as a failed gate");
    }

    private static string Count(string? value) => string.IsNullOrWhiteSpace(value) ? "?" : value.Trim();
}
