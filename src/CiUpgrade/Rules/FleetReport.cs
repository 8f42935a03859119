namespace CiUpgrade.Rules;

/// <summary>One check of one install as its JUnit testcase recorded it.</summary>
public sealed record FleetCheck(string Name, CheckOutcome Outcome, string Message);

/// <summary>
/// One install of the fleet: its checks, when they ran and in which namespace; <see cref="Missing"/> says why there is
/// no report at all (the check did not run, or could not reach the cluster); <see cref="Wave"/> is a fleet upgrade's wave.
/// </summary>
public sealed record FleetInstall(string Name, string? Namespace, string? CheckedAt, IReadOnlyList<FleetCheck> Checks, string? Missing = null, string? Wave = null)
{
    public bool Drifted => Missing is not null || Checks.Any(c => c.Outcome == CheckOutcome.Failed);
}

/// <summary>
/// The fleet's installs in the order the pipeline lists them (then any other report, by name): every expected install
/// without a report is one that drifted as far as the gate is concerned — never counted as clean.
/// </summary>
public static class FleetReport
{
    public const string NoReport = "no drift report: the check of this install did not run or could not reach its cluster (see its TaskRun's log)";

    public static IReadOnlyList<FleetInstall> Assemble(IReadOnlyList<string> expected, IReadOnlyDictionary<string, FleetInstall> reported)
    {
        var installs = expected.Distinct(StringComparer.Ordinal)
            .Select(name => reported.TryGetValue(name, out var found) ? found : new FleetInstall(name, null, null, [], NoReport))
            .ToList();
        installs.AddRange(reported.Values.Where(r => !expected.Contains(r.Name)).OrderBy(r => r.Name, StringComparer.Ordinal));
        return installs;
    }

    /// <summary>
    /// A fleet upgrade's installs wave by wave, each with its wave; one without a verify report is not upgraded, for the
    /// reason its wave gives (<see cref="FleetWaves.MissingReport"/>). A report of no listed install is left out: an
    /// earlier run's file in the same workspace says nothing about this run.
    /// </summary>
    public static IReadOnlyList<FleetInstall> Assemble(IReadOnlyList<FleetWave> waves, IReadOnlyDictionary<string, FleetInstall> reported)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return waves.SelectMany(wave => wave.Installs.Where(seen.Add).Select(name => reported.TryGetValue(name, out var found) && wave.Ran
                ? found with { Wave = wave.Name }
                : new FleetInstall(name, null, null, [], FleetWaves.MissingReport(wave), wave.Name)))
            .ToList();
    }
}
