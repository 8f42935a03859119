using System.Globalization;
using System.Text.RegularExpressions;

namespace CiUpgrade.Cli;

/// <summary>Parses a duration flag (--timeout, --api-retry-budget): plain seconds ("600") or Go-style units ("90s", "10m", "1h30m").</summary>
public static partial class Durations
{
    public static TimeSpan Parse(string text, string flag = "--timeout")
    {
        if (text.Length > 32)
        {
            throw new UsageException($"{flag} \"{InputValidation.Shorten(text)}\" is not a duration: use seconds (600) or units (90s, 10m, 1h)");
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 100_000_000)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var match = Pattern().Match(text);
        if (!match.Success || match.Length == 0)
        {
            throw new UsageException($"{flag} \"{text}\" is not a duration: use seconds (600) or units (90s, 10m, 1h)");
        }

        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            // At most 8 digits per unit: no sum can overflow, and anything that large is refused by the caller's limit.
            if (part.Value.Length > 9 || !int.TryParse(part.Value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new UsageException($"{flag} \"{text}\" has a number too large: use at most 24h");
            }

            total += part.Value[^1] switch { 'h' => TimeSpan.FromHours(value), 'm' => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
        }

        return total > TimeSpan.Zero ? total : throw new UsageException($"{flag} must be greater than zero");
    }

    [GeneratedRegex("^(?<part>[0-9]+[hms])+$")]
    private static partial Regex Pattern();
}
