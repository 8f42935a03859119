using System.Reflection;
using System.Text.RegularExpressions;
using CiUpgrade.Cli;
using CommandLine;

namespace CiUpgrade.Tests.Cli;

/// <summary>
/// `ciupgrade VERB --help` and docs/stages.md say the same things, so they cannot drift apart: every verb has its
/// section, in the order `ciupgrade --help` lists the verbs; a verb's flags are the flags its section's table lists
/// (and the flags every cluster verb shares are those the common section lists); its exit codes and its example are
/// the section's.
/// </summary>
public sealed partial class HelpDocsTests
{
    private static readonly string Stages = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "stages.md"));

    public static TheoryData<string> VerbNames() => [.. Verbs.InChainOrder.Select(Verbs.NameOf)];

    private static async Task<string> Help(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None));
        return stdout.ToString();
    }

    /// <summary>The text of `### name` up to the next heading of level 2 or 3.</summary>
    private static string Section(string name)
    {
        var match = Regex.Match(Stages, $@"^### {Regex.Escape(name)}\n(?<body>.*?)(?=^##)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/stages.md has no section ### {name}");
        return match.Groups["body"].Value;
    }

    private static string H2Section(string title)
    {
        var match = Regex.Match(Stages, $@"^## {Regex.Escape(title)}\n(?<body>.*?)(?=^## )", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/stages.md has no section ## {title}");
        return match.Groups["body"].Value;
    }

    /// <summary>The long names of the flags a help screen lists (`  -n, --namespace   …`), without --help and --version.</summary>
    private static SortedSet<string> HelpFlags(string help) =>
        [.. HelpFlag().Matches(help).Select(m => m.Groups["name"].Value).Where(n => n is not ("help" or "version"))];

    /// <summary>The long names in the first cell of a section's flag table (`| `-A, --all-namespaces` | … |`).</summary>
    private static SortedSet<string> TableFlags(string section) =>
        [.. section.Split('\n').Where(l => l.StartsWith("| `-", StringComparison.Ordinal))
            .SelectMany(l => LongFlag().Matches(l.Split(" | ")[0]).Select(m => m.Groups["name"].Value))];

    private static SortedSet<string> CommonFlags() =>
        [.. typeof(ClusterOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(p => p.GetCustomAttribute<OptionAttribute>()?.LongName).OfType<string>()];

    [Fact]
    public void The_verb_table_the_parser_is_handed_names_every_verb_as_its_attribute_does()
    {
        Assert.Equal(Verbs.InChainOrder.ToDictionary(Verbs.NameOf), Verbs.ByName);
        Assert.Equal([typeof(VerifyOptions)], Verbs.ToParse(["verify", "-n", "3scale"]));
        Assert.Same(Verbs.InChainOrder, Verbs.ToParse(["verfy"]));
        Assert.Same(Verbs.InChainOrder, Verbs.ToParse([]));
    }

    [Fact]
    public async Task Every_verb_of_the_help_has_its_section_in_docs_and_in_the_same_order()
    {
        var listed = (await Help("--help")).Split('\n').Select(l => l.Trim().Split(' ')[0]).Where(v => Verbs.InChainOrder.Select(Verbs.NameOf).Contains(v)).ToList();
        var verbsSection = H2Section("Verbs");
        var documented = Regex.Matches(Stages, @"^### (?<name>[a-z-]+)\n", RegexOptions.Multiline).Select(m => m.Groups["name"].Value)
            .Where(n => verbsSection.Contains($"### {n}\n", StringComparison.Ordinal)).ToList();

        Assert.Equal(Verbs.InChainOrder.Select(Verbs.NameOf), listed);
        Assert.Equal(listed, documented);
    }

    [Theory]
    [MemberData(nameof(VerbNames))]
    public async Task A_verbs_flags_in_its_help_are_the_flags_its_section_lists(string verb)
    {
        var help = await Help(verb, "--help");
        var section = Section(verb);
        var options = Verbs.InChainOrder.Single(t => Verbs.NameOf(t) == verb);
        var common = options.IsSubclassOf(typeof(ClusterOptions)) ? CommonFlags() : [];
        var own = new SortedSet<string>(HelpFlags(help).Except(common));

        Assert.Superset(common, HelpFlags(help));
        Assert.Equal(own, TableFlags(section));
        var synopsis = section.Split('\n').First(l => l.StartsWith($"`ciupgrade {verb}", StringComparison.Ordinal));
        var inSynopsis = LongFlag().Matches(synopsis).Select(m => m.Groups["name"].Value).ToHashSet();
        Assert.Superset(own, inSynopsis);
        Assert.Subset(new HashSet<string>(own.Concat(common)), inSynopsis);
    }

    [Fact]
    public void The_flags_every_cluster_verb_shares_are_the_ones_the_common_section_lists()
    {
        Assert.Equal(CommonFlags(), TableFlags(H2Section("Flags common to the cluster verbs")));
    }

    [Theory]
    [MemberData(nameof(VerbNames))]
    public async Task A_verbs_exit_codes_and_example_in_its_help_are_in_its_section(string verb)
    {
        var help = await Help(verb, "--help");
        var section = Section(verb);
        var exitCodes = help[help.IndexOf("\nExit codes:", StringComparison.Ordinal)..];
        var inHelp = Regex.Matches(exitCodes, @"^  (?<code>\d)  ", RegexOptions.Multiline).Select(m => m.Groups["code"].Value).ToList();
        var codesLine = section.Split("\n\n").Single(p => p.StartsWith("Exit codes:", StringComparison.Ordinal));
        var inDocs = Regex.Matches(codesLine, @"\*\*(?<code>\d)\*\*").Select(m => m.Groups["code"].Value).ToList();
        var examples = help.Split('\n').Select(l => l.TrimEnd()).Where(l => l.StartsWith($"  ciupgrade {verb}", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();

        Assert.NotEmpty(inHelp);
        Assert.Equal(inHelp, inDocs);
        Assert.NotEmpty(examples);
        Assert.All(examples, example => Assert.Contains($"`{example}`", section, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^  (?:-\w, )?--(?<name>[a-z][a-z0-9-]*)\b", RegexOptions.Multiline)]
    private static partial Regex HelpFlag();

    [GeneratedRegex(@"(?<![\w-])--(?<name>[a-z][a-z0-9-]*)")]
    private static partial Regex LongFlag();
}
