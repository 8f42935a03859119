using System.Diagnostics.CodeAnalysis;
using CommandLine;

namespace CiUpgrade.Cli;

/// <summary>What every verb's options share: the arguments no flag takes.</summary>
/// <remarks>The annotation lets <see cref="UsageErrors"/> read a verb's flags from <c>GetType()</c> in the NativeAOT binary.</remarks>
[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
public abstract class VerbOptions
{
    /// <summary>
    /// Words no flag took (`ciupgrade verify 3scale`, `--databases maybe`). CommandLineParser drops such values
    /// silently when no [Value] is declared; collected here, they are refused as a usage error.
    /// </summary>
    [Value(0, Hidden = true)]
    public IEnumerable<string> Unexpected { get; set; } = [];
}
