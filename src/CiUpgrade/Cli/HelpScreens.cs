using System.Reflection;
using System.Runtime;
using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

/// <summary>
/// The help screens, assembled from what CommandLineParser renders (the verb list, a verb's flags from its [Option]s,
/// the examples it formats from [Usage] samples) and what it cannot know: a usage line and the exit codes on
/// `ciupgrade --help`; what the verb does and its exit codes on `ciupgrade VERB --help` (<see cref="VerbHelpAttribute"/>).
/// </summary>
public static class HelpScreens
{
    private const int Width = 110;

    /// <summary>
    /// `ciupgrade --version`: the version and which build runs — the NativeAOT binary the image ships, or the
    /// framework-dependent (JIT) build — so that a figure taken with it (the demo's overhead) can say which it was.
    /// </summary>
    /// <remarks>
    /// Told by the JIT having compiled something: the csproj's PublishAot turns off dynamic code in the JIT build too
    /// (so RuntimeFeature.IsDynamicCodeSupported is false in both), and NativeAOT has no JIT, so JitInfo counts 0.
    /// </remarks>
    public static string Version() =>
        $"{HeadingInfo.Default} ({(JitInfo.GetCompiledMethodCount() > 0 ? $"framework-dependent, .NET {Environment.Version}" : "NativeAOT")})";

    /// <summary>`ciupgrade --help`: the verbs, in the order <see cref="Verbs.InChainOrder"/> gives, and the exit codes.</summary>
    public static string Index()
    {
        var help = NewHelpText($"{HeadingInfo.Default}: upgrades a 3scale 2.6 template install on OpenShift to 2.7, one stage per invocation");
        help.AddDashesToOption = false;
        help.AddPreOptionsLine(string.Empty);
        help.AddPreOptionsLine("Usage: ciupgrade VERB [flags]. The verbs, in the order a chain runs them; `ciupgrade VERB --help` gives a");
        help.AddPreOptionsLine("verb's flags, exit codes and an example (reference: docs/stages.md).");
        help.AddVerbs(Verbs.InChainOrder);
        help.AddPostOptionsLine(string.Empty);
        help.AddPostOptionsLines(CliApp.ExitCodesHelp.TrimEnd().Split('\n'));
        return help.ToString();
    }

    /// <summary>`ciupgrade VERB --help`: what the verb does, an example, its flags, its exit codes.</summary>
    public static string ForVerb(ParserResult<object> result, Type options)
    {
        var verb = options.GetCustomAttribute<VerbAttribute>() ?? throw new ArgumentException($"{options.Name} is not a verb", nameof(options));
        var about = options.GetCustomAttribute<VerbHelpAttribute>() ?? throw new ArgumentException($"{options.Name} has no [VerbHelp]", nameof(options));
        var help = NewHelpText($"ciupgrade {verb.Name}");
        help.AddPreOptionsLine(string.Empty);
        help.AddPreOptionsText(string.Join(' ', about.About.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)));
        var examples = HelpText.RenderUsageTextAsLines(result, example => example).ToList();
        if (examples.Count > 0)
        {
            help.AddPreOptionsLine(string.Empty);
            help.AddPreOptionsLine("Example:");
            help.AddPreOptionsLines(examples);
        }

        help.AddOptions(result);
        help.AddPostOptionsLines(["", "Exit codes:", .. about.ExitCodes.Select(code => "  " + code)]);
        return help.ToString();
    }

    private static HelpText NewHelpText(string heading) => new(heading)
    {
        Copyright = string.Empty,
        AdditionalNewLineAfterOption = false,
        AddDashesToOption = true,
        MaximumDisplayWidth = Width,
    };
}
