using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("unlock", HelpText = "Release the namespace's upgrade lock left by a run you know is dead (one renewed within 4m only with --force).")]
[VerbHelp(
    """
    Releases the namespace's upgrade lock (ConfigMap ciupgrade-lock) left by a run you know is dead, so a rerun need
    not wait until it is stale (4m after its last renewal). A lock renewed within those 4m only with --force; with
    --run-id, only that holder's lock. The delete is guarded by the lock's UID: a lock another run took meanwhile stays.
    """,
    "0  released, or there was no lock",
    "2  bad flag or kubeconfig",
    "3  API server unreachable, or access denied",
    "4  refused, nothing released: renewed within 4m and no --force, or held by another run than --run-id")]
public sealed class UnlockOptions : ClusterOptions
{
    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples =>
        [new("Release the lock a killed run left behind, as the waiting stage names it", HelpExamples.Style, new UnlockOptions { Namespace = "3scale", RunId = "alice@laptop pid 4242", Force = true })];

    [Option("force", HelpText = "Release the lock even though it was renewed within the staleness window (its holder may be alive: only when you know that run is gone).")]
    public bool Force { get; set; }
}
