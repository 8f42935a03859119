namespace CiUpgrade.Rules;

/// <summary>One check of one install as its JUnit testcase recorded it.</summary>
public sealed record FleetCheck(string Name, CheckOutcome Outcome, string Message);

/// <summary>
/// One install of the fleet: its checks, when they ran and in which namespace; <see cref="Missing"/> says why there is
/// no report at all (the check did not run, or could not reach the cluster).
/// </summary>
public sealed record FleetInstall(string Name, string? Namespace, string? CheckedAt, IReadOnlyList<FleetCheck> Checks, string? Missing = null)
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
}
