using System.Globalization;

namespace CiUpgrade.Simulator.Faults;

/// <summary>The value after `name=` in a fault spec, with the parsing helpers knobs share; errors name the knob and the syntax.</summary>
public sealed class FaultValue(FaultKnob knob, string? text)
{
    public string? Text { get; } = text;

    /// <summary>The value split at <paramref name="separator"/> into at most <paramref name="max"/> parts (the last keeps the rest).</summary>
    public string[] Parts(int min, int max, char separator = ':')
    {
        if (string.IsNullOrEmpty(Text))
        {
            if (min == 0)
            {
                return [];
            }

            throw Bad("needs a value");
        }

        var parts = Text.Split(separator, max);
        return parts.Length >= min && parts.All(p => p.Length > 0) ? parts : throw Bad($"\"{Text}\" is not {knob.Usage}");
    }

    public static int Int(FaultValue value, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw value.Bad($"\"{text}\" is not a whole number from {min} to {max}");

    public static double Rate(FaultValue value, string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var r) && r is >= 0 and <= 1
            ? r
            : throw value.Bad($"\"{text}\" is not a rate from 0 to 1");

    /// <summary>A duration: 250ms, 2s, 1m, or plain seconds.</summary>
    public static TimeSpan Duration(FaultValue value, string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? TimeSpan.FromSeconds(n * unit)
            : throw value.Bad($"\"{text}\" is not a duration (250ms, 2s, 1m)");
    }

    /// <summary>`[NS/]NAME`: the namespace defaults to the cluster's first seeded one.</summary>
    public static (string? Namespace, string Name) Object(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, text) : (text[..slash], text[(slash + 1)..]);
    }

    public ArgumentException Bad(string problem) =>
        new($"fault {knob.Name}: {problem} (use {knob.Name}{(knob.Usage.Length == 0 ? string.Empty : "=" + knob.Usage)})");
}
