namespace CiUpgrade.Reporting;

/// <summary>
/// Tekton results: one small file per result under --results-dir (/tekton/results in a step), the value as
/// the whole content, no trailing newline (Tekton keeps results under about 3 KB per step).
/// </summary>
public static class TektonResults
{
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
}
