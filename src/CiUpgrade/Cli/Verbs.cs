using System.Reflection;
using CommandLine;

namespace CiUpgrade.Cli;

/// <summary>
/// Every verb's options class, in the order a chain runs them: `ciupgrade --help` lists the verbs in this order
/// (CommandLineParser keeps the order of the types it is given). A new verb goes where a user meets it in that order
/// (docs/stages.md, "Adding a verb"), with its [DynamicDependency] on <see cref="CliApp.RunAsync"/>.
/// </summary>
public static class Verbs
{
    // Each verb's name as typed beside its options class, in chain order: one table for both views below (a test holds
    // the names equal to the [Verb] attributes, which are read by reflection, too slowly for every start).
    private static readonly (string Name, Type Options)[] Chain =
    [
        // Once per target cluster, by its admin: it prepares the chain's credentials (tekton/README.md "Topologies").
        ("target-kubeconfig", typeof(TargetKubeconfigOptions)),
        ("preflight", typeof(PreflightOptions)),
        ("backup", typeof(BackupOptions)),
        ("update-prehook", typeof(UpdatePreHookOptions)),
        ("patch-imagestreams", typeof(PatchImageStreamsOptions)),
        ("build-oracle-system", typeof(BuildOracleSystemOptions)),
        ("wait-rollouts", typeof(WaitRolloutsOptions)),
        ("set-release", typeof(SetReleaseOptions)),
        ("verify", typeof(VerifyOptions)),
        ("gate", typeof(GateOptions)),
        ("rollback", typeof(RollbackOptions)),
        ("unlock", typeof(UnlockOptions)),
        ("drift", typeof(DriftOptions)),
        ("report", typeof(ReportOptions)),
        ("plan", typeof(PlanOptions)),
    ];

    public static readonly Type[] InChainOrder = [.. Chain.Select(verb => verb.Options)];

    /// <summary>Each verb's options class by the verb's name, for <see cref="ToParse"/>.</summary>
    public static readonly IReadOnlyDictionary<string, Type> ByName = Chain.ToDictionary(verb => verb.Name, verb => verb.Options, StringComparer.Ordinal);

    /// <summary>
    /// The verbs to hand CommandLineParser for these arguments: only the one named first when it is a verb, else every
    /// verb (no verb, a help or version request, an unknown verb: the index and the error name them all). The parser
    /// reads every type's attributes by reflection, again for each question it asks; in the NativeAOT binary that was
    /// 4 % of `verify`'s CPU time for the fourteen verbs not run (perf, bench/verify-vs-get-dc.sh).
    /// </summary>
    public static Type[] ToParse(string[] args) =>
        args.Length > 0 && ByName.TryGetValue(args[0], out var verb) ? [verb] : InChainOrder;

    /// <summary>The verb's name as typed (its [Verb] attribute).</summary>
    public static string NameOf(Type options) =>
        options.GetCustomAttribute<VerbAttribute>()?.Name ?? throw new ArgumentException($"{options.Name} is not a verb", nameof(options));
}
