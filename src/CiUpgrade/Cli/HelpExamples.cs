using CommandLine;

namespace CiUpgrade.Cli;

/// <summary>How a verb's [Usage] sample is printed: short names where a flag has one, defaults left out.</summary>
public static class HelpExamples
{
    public static readonly UnParserSettings Style = new() { PreferShortName = true, SkipDefault = true };
}
