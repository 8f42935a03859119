using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using CiUpgrade.Cli;
using CommandLine;

namespace CiUpgrade.Tests.Cli;

/// <summary>
/// The NativeAOT binary keeps only the option classes CliApp names in [DynamicDependency] (CommandLineParser reads
/// them by reflection); a verb missing there parses in these JIT tests but loses its options in the binary.
/// </summary>
public sealed class TrimmingTests
{
    [Fact]
    public void Every_verb_is_listed_and_its_options_class_and_base_classes_are_kept_whole_for_the_NativeAOT_binary()
    {
        var kept = typeof(CliApp).GetMethod(nameof(CliApp.RunAsync), [typeof(string[]), typeof(TextWriter), typeof(TextWriter), typeof(CancellationToken)])!
            .GetCustomAttributes<DynamicDependencyAttribute>()
            .Where(a => a.MemberTypes == DynamicallyAccessedMemberTypes.All)
            .Select(a => a.Type)
            .ToHashSet();
        var verbs = typeof(CliApp).Assembly.GetTypes().Where(t => t.GetCustomAttribute<VerbAttribute>() is not null).ToList();

        Assert.Equal(verbs.ToHashSet(), Verbs.InChainOrder.ToHashSet());
        Assert.Equal(Verbs.InChainOrder.Length, Verbs.InChainOrder.Distinct().Count());
        foreach (var verb in verbs)
        {
            for (var type = verb; type is not null && type != typeof(object); type = type.BaseType)
            {
                Assert.True(kept.Contains(type), $"{type.Name} is not kept by a [DynamicDependency] on CliApp.RunAsync");
            }
        }
    }
}
