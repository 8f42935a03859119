using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

/// <summary>
/// A command line CommandLineParser refused, or one it would accept although it is a mistake, as the one line the
/// user reads: what is wrong, in the words they typed. Never the whole help text: the line names the --help to read.
/// </summary>
public static class UsageErrors
{
    /// <summary>`ciupgrade VERB --help`, or `ciupgrade --help` when no verb was recognised.</summary>
    public static string HelpCommand(string? verb) => verb is null ? "ciupgrade --help" : $"ciupgrade {verb} --help";

    /// <summary>The parser's errors in one line (several joined by "; "), each as the user would say it.</summary>
    public static string Describe(IEnumerable<Error> errors) =>
        string.Join("; ", errors.Select(Describe).Distinct(StringComparer.Ordinal));

    private static string Describe(Error error) => error switch
    {
        NoVerbSelectedError => "no verb given: run ciupgrade VERB [flags], e.g. ciupgrade preflight -n 3scale",
        BadVerbSelectedError e => $"unknown verb \"{InputValidation.Shorten(e.Token)}\"",
        UnknownOptionError e => $"unknown flag {Flag(e.Token)}",
        MissingRequiredOptionError e => $"{Flag(e.NameInfo)} is required",
        MissingValueOptionError e => $"{Flag(e.NameInfo)} needs a value",
        RepeatedOptionError e => $"{Flag(e.NameInfo)} is given more than once",
        BadFormatConversionError e => $"{Flag(e.NameInfo)} has a value of the wrong form",
        BadFormatTokenError e => $"\"{InputValidation.Shorten(e.Token)}\" is not a flag or a value",
        // The rest cannot arise from ciupgrade's options (no sequences with bounds, groups or exclusive sets): the
        // library's own sentence.
        _ => SentenceBuilder.Create().FormatError(error).TrimEnd('.'),
    };

    /// <summary>
    /// What CommandLineParser lets through: words no flag takes, and a flag that needs a value given last without one
    /// (`verify --timeout`: the parser keeps the default). Null when the command line has neither.
    /// </summary>
    public static string? Unparsed(VerbOptions options, IReadOnlyList<string> args)
    {
        if (args.Count > 1 && args[^1].StartsWith('-') && TakesValue(options.GetType(), args[^1]) is { } flag)
        {
            return $"{flag} needs a value";
        }

        var extra = options.Unexpected.ToList();
        return extra.Count == 0 ? null
            : $"unexpected argument{(extra.Count > 1 ? "s" : "")} {string.Join(" ", extra.Select(a => $"\"{InputValidation.Shorten(a)}\""))}: every value follows its flag (e.g. -n 3scale)";
    }

    /// <summary>The flag <paramref name="token"/> names when it is one of <paramref name="options"/>' flags that take a value.</summary>
    private static string? TakesValue([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type options, string token)
    {
        var name = token.TrimStart('-');
        foreach (var property in options.GetProperties())
        {
            if (property.GetCustomAttribute<OptionAttribute>() is { } option && property.PropertyType != typeof(bool)
                && (token.StartsWith("--", StringComparison.Ordinal) ? option.LongName == name : option.ShortName == name))
            {
                return token;
            }
        }

        return null;
    }

    private static string Flag(string token) => token.Length == 1 ? $"-{token}" : $"--{token}";

    private static string Flag(NameInfo name) =>
        name.ShortName.Length > 0 && name.LongName.Length > 0 ? $"-{name.ShortName}/--{name.LongName}"
        : name.LongName.Length > 0 ? $"--{name.LongName}" : $"-{name.ShortName}";
}
