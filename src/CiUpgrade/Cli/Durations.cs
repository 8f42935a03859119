using System.Globalization;
using System.Text.RegularExpressions;

namespace CiUpgrade.Cli;

/// <summary>Parses --timeout: plain seconds ("600") or Go-style units ("90s", "10m", "1h30m").</summary>
public static partial class Durations
{
    public static TimeSpan Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var match = Pattern().Match(text);
        if (!match.Success || match.Length == 0)
        {
            throw new UpgradeException(ExitCode.BadInput, $"--timeout \"{text}\" is not a duration: use seconds (600) or units (90s, 10m, 1h)");
        }

        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var value = int.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
            total += part.Value[^1] switch { 'h' => TimeSpan.FromHours(value), 'm' => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
        }

        return total > TimeSpan.Zero ? total : throw new UpgradeException(ExitCode.BadInput, "--timeout must be greater than zero");
    }

    [GeneratedRegex("^(?<part>[0-9]+[hms])+$")]
    private static partial Regex Pattern();
}
