using System.Globalization;
using CiUpgrade.Cli;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The fleet drift check's last task: the per-install reports its matrix wrote (DIR/&lt;install&gt;.xml) become one
/// JUnit file (a testsuite per install) and one HTML page; results installs, drifted and status. An expected install
/// without a report is drifted: a check that could not run never passes. Exit 1 when any install drifted (the Task
/// runs it with onError: continue, so its results are published and the failed drift TaskRuns fail the run).
/// </summary>
public static class ReportStage
{
    private const string Stage = "report";

    public static ExitCode Run(ReportOptions options, TextWriter stdout)
    {
        var output = InputValidation.Output(options.Output);
        var expected = options.Targets.Where(t => t.Length > 0).Select(t => TargetEntry.Parse(t).Name).ToList();
        if (!Directory.Exists(options.JunitDir) && expected.Count == 0)
        {
            throw new UpgradeException(ExitCode.BadInput, $"--junit-dir {options.JunitDir} does not exist and no --targets are expected: nothing to report");
        }

        var reported = (Directory.Exists(options.JunitDir) ? Directory.GetFiles(options.JunitDir, "*.xml") : [])
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => FleetJUnit.Read(Path.GetFileNameWithoutExtension(f), f), StringComparer.Ordinal);
        var installs = FleetReport.Assemble(expected, reported);
        var now = DateTimeOffset.UtcNow;
        var plan = CliApp.NullIfEmpty(options.Plan) is { } file ? $"plan {file}" : "the built-in 2.6 to 2.7 plan";
        JUnitWriter.Save(options.Junit, FleetJUnit.Build(installs, now, Environment.MachineName));
        Save(options.Html, FleetHtml.Write(options.Title, plan, installs, now));
        var reporter = new Reporter(stdout, output == "json", TimeProvider.System);
        foreach (var install in installs.Where(i => i.Drifted))
        {
            foreach (var line in install.Missing is { } missing ? [missing] : install.Checks.Where(c => c.Outcome == CheckOutcome.Failed).Select(c => $"{c.Name}: {c.Message}"))
            {
                reporter.Event(Stage, "drift", $"{install.Name}: {line}", new Dictionary<string, string> { ["install"] = install.Name });
            }
        }

        var drifted = installs.Count(i => i.Drifted);
        TektonResults.Write(CliApp.NullIfEmpty(options.ResultsDir), new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["installs"] = installs.Count.ToString(CultureInfo.InvariantCulture),
            ["drifted"] = drifted.ToString(CultureInfo.InvariantCulture),
            ["status"] = drifted == 0 ? "Succeeded" : "Failed",
        });
        reporter.Event(Stage, "summary", $"{installs.Count} installs, {drifted} drifted; JUnit report: {options.Junit}, page: {options.Html}");
        return drifted == 0 ? ExitCode.Success : ExitCode.VerificationFailed;
    }

    private static void Save(string path, string html)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllText(path, html);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the page to {path}: {e.Message} (check --html)");
        }
    }
}
