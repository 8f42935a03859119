using System.Globalization;

namespace CiUpgrade;

/// <summary>
/// The one way durations appear in messages: Go's time.Duration style, as oc and kubectl print them, to the whole
/// second ("45s", "1m15s", "1h0m0s"); below a second, tenths ("0.4s").
/// </summary>
public static class DurationText
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return duration == TimeSpan.Zero ? "0s" : $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";
        }

        var total = (long)duration.TotalSeconds;
        var (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
        return hours > 0 ? $"{hours}h{minutes}m{seconds}s" : minutes > 0 ? $"{minutes}m{seconds}s" : $"{seconds}s";
    }
}
