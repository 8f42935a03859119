namespace CiUpgrade.Reporting;

/// <summary>
/// Tekton results: one small file per result under --results-dir (/tekton/results in a step), the value as
/// the whole content, no trailing newline (Tekton keeps results under about 3 KB per step).
/// </summary>
public static class TektonResults
{
    /// <summary>The check counts verify and drift publish: passed, failed, skipped, and status Succeeded/Failed.</summary>
    public static Dictionary<string, string> Counts(IReadOnlyCollection<Rules.DigestResult> results)
    {
        var failed = Count(results, Rules.CheckOutcome.Failed);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["passed"] = Count(results, Rules.CheckOutcome.Passed),
            ["failed"] = failed,
            ["skipped"] = Count(results, Rules.CheckOutcome.Skipped),
            ["status"] = failed == "0" ? "Succeeded" : "Failed",
        };
    }

    public static void Write(string? directory, IReadOnlyDictionary<string, string> results)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory);
            foreach (var (name, value) in results)
            {
                File.WriteAllText(Path.Combine(directory, name), value);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write results to {directory}: {e.Message} (check --results-dir)");
        }
    }

    private static string Count(IReadOnlyCollection<Rules.DigestResult> results, Rules.CheckOutcome outcome) =>
        results.Count(r => r.Outcome == outcome).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
