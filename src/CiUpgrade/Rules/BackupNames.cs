using System.Globalization;

namespace CiUpgrade.Rules;

/// <summary>
/// Names of backup directories: the UTC time the backup started (`20261125T193551Z`), with `-2`, `-3`… when two
/// start in the same second, so every backup gets its own directory and none is ever overwritten.
/// </summary>
public static class BackupNames
{
    private const string Format = "yyyyMMdd'T'HHmmss'Z'";

    public static string For(DateTimeOffset time, int attempt) =>
        time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture) + (attempt <= 1 ? string.Empty : $"-{attempt}");

    /// <summary>Whether <paramref name="name"/> is one this stage writes (other entries are ignored).</summary>
    public static bool IsBackupName(string name) => Parse(name) is not null;

    /// <summary>Newest first: by time, then by the same-second counter.</summary>
    public static IReadOnlyList<string> NewestFirst(IEnumerable<string> names) =>
        names.Select(n => (Name: n, Key: Parse(n))).Where(x => x.Key is not null)
            .OrderByDescending(x => x.Key!.Value.Time).ThenByDescending(x => x.Key!.Value.Attempt)
            .Select(x => x.Name).ToList();

    private static (DateTime Time, int Attempt)? Parse(string name)
    {
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        var stamp = dash < 0 ? name : name[..dash];
        var attempt = 1;
        if (dash >= 0 && (!int.TryParse(name[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out attempt) || attempt < 2))
        {
            return null;
        }

        return DateTime.TryParseExact(stamp, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? (time, attempt)
            : null;
    }
}
