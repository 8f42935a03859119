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
    public static readonly Type[] InChainOrder =
    [
        // Once per target cluster, by its admin: it prepares the chain's credentials (tekton/README.md "Topologies").
        typeof(TargetKubeconfigOptions),
        typeof(PreflightOptions),
        typeof(BackupOptions),
        typeof(UpdatePreHookOptions),
        typeof(PatchImageStreamsOptions),
        typeof(BuildOracleSystemOptions),
        typeof(WaitRolloutsOptions),
        typeof(SetReleaseOptions),
        typeof(VerifyOptions),
        typeof(GateOptions),
        typeof(RollbackOptions),
        typeof(UnlockOptions),
        typeof(DriftOptions),
        typeof(ReportOptions),
        typeof(PlanOptions),
    ];

    /// <summary>The verb's name as typed (its [Verb] attribute).</summary>
    public static string NameOf(Type options) =>
        options.GetCustomAttribute<VerbAttribute>()?.Name ?? throw new ArgumentException($"{options.Name} is not a verb", nameof(options));
}
