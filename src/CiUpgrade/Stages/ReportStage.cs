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
/// With --waves, the fleet upgrade's last task: the verify reports its waves wrote, each install that has none named
/// as failed before verify or not started (<see cref="FleetWaves"/>); results installs, not-upgraded and status.
/// </summary>
public static class ReportStage
{
    private const string Stage = "report";

    public static ExitCode Run(ReportOptions options, TextWriter stdout)
    {
        var output = InputValidation.Output(options.Output);
        var targets = options.Targets.Where(t => t.Length > 0).ToList();
        var waves = FleetWaves.Parse(options.Waves)
            .Select(w => new FleetWave(w.Wave, w.Status, w.Entries.Select(e => TargetEntry.Parse(e).Name).ToList()))
            .ToList();
        if (waves.Count > 0 && targets.Count > 0)
        {
            throw new UpgradeException(ExitCode.BadInput, "--targets and --waves both given: a drift check lists --targets, a fleet upgrade --waves");
        }

        var expected = targets.Select(t => TargetEntry.Parse(t).Name).ToList();
        if (!Directory.Exists(options.JunitDir) && expected.Count == 0 && waves.Sum(w => w.Installs.Count) == 0)
        {
            throw new UpgradeException(ExitCode.BadInput, $"--junit-dir {options.JunitDir} does not exist and no --targets or --waves installs are expected: nothing to report");
        }

        var reported = (Directory.Exists(options.JunitDir) ? Directory.GetFiles(options.JunitDir, "*.xml") : [])
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => FleetJUnit.Read(Path.GetFileNameWithoutExtension(f), f), StringComparer.Ordinal);
        var upgrade = waves.Count > 0;
        var installs = upgrade ? FleetReport.Assemble(waves, reported) : FleetReport.Assemble(expected, reported);
        var now = DateTimeOffset.UtcNow;
        var plan = CliApp.NullIfEmpty(options.Plan) is { } file ? $"plan {file}" : "the built-in 2.6 to 2.7 plan";
        JUnitWriter.Save(options.Junit, FleetJUnit.Build(installs, now, Environment.MachineName));
        Save(options.Html, FleetHtml.Write(options.Title, plan, installs, now, upgrade));
        var reporter = new Reporter(stdout, output == "json", TimeProvider.System);
        foreach (var install in installs.Where(i => i.Drifted))
        {
            foreach (var line in install.Missing is { } missing ? [missing] : install.Checks.Where(c => c.Outcome == CheckOutcome.Failed).Select(c => $"{c.Name}: {c.Message}"))
            {
                var fields = new Dictionary<string, string> { ["install"] = install.Name };
                if (install.Wave is { } wave)
                {
                    fields["wave"] = wave;
                }

                reporter.Event(Stage, upgrade ? "not-upgraded" : "drift", $"{install.Name}: {line}", fields);
            }
        }

        var failed = installs.Where(i => i.Drifted).ToList();
        var count = failed.Count.ToString(CultureInfo.InvariantCulture);
        TektonResults.Write(CliApp.NullIfEmpty(options.ResultsDir), new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["installs"] = installs.Count.ToString(CultureInfo.InvariantCulture),
            [upgrade ? "not-upgraded" : "drifted"] = count,
            ["status"] = failed.Count == 0 ? "Succeeded" : "Failed",
        });
        reporter.Event(Stage, "summary", upgrade
            ? $"{installs.Count} installs in {waves.Count} waves, {count} not upgraded{(failed.Count == 0 ? string.Empty : ": " + NotUpgraded(failed, waves))}; JUnit report: {options.Junit}, page: {options.Html}"
            : $"{installs.Count} installs, {count} drifted; JUnit report: {options.Junit}, page: {options.Html}");
        return failed.Count == 0 ? ExitCode.Success : ExitCode.VerificationFailed;
    }

    /// <summary>The installs that failed, then those never started: the line a failed fleet run ends with.</summary>
    private static string NotUpgraded(IReadOnlyList<FleetInstall> failed, IReadOnlyList<FleetWave> waves)
    {
        var notRun = waves.Where(w => !w.Ran).SelectMany(w => w.Installs).ToHashSet(StringComparer.Ordinal);
        var notStarted = failed.Where(i => notRun.Contains(i.Name)).Select(i => i.Name).ToList();
        return string.Join("; ", failed.Where(i => !notRun.Contains(i.Name)).Select(i => $"{i.Name} ({i.Wave}) failed")
            .Concat(notStarted.Count == 0 ? [] : [$"{string.Join(", ", notStarted)} not started"]));
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
