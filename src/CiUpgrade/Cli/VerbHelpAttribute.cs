namespace CiUpgrade.Cli;

/// <summary>
/// What `ciupgrade VERB --help` says beyond the flags CommandLineParser lists from the [Option]s and the examples it
/// formats from the [Usage] samples: what the verb does, in a few lines, and the exit codes it can end with. It sits on
/// the verb's options class beside [Verb]; docs/stages.md says the same at length, and HelpDocsTests keeps them in step.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class VerbHelpAttribute(string about, params string[] exitCodes) : Attribute
{
    /// <summary>What the verb does: 2 to 4 lines.</summary>
    public string About { get; } = about;

    /// <summary>One entry per code the verb can end with: "N  meaning".</summary>
    public IReadOnlyList<string> ExitCodes { get; } = exitCodes;
}
