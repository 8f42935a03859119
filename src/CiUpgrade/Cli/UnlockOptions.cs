using CommandLine;
using CommandLine.Text;

namespace CiUpgrade.Cli;

[Verb("unlock", HelpText = "Release the namespace's upgrade lock (ConfigMap ciupgrade-lock) left by a run you know is dead. "
    + "Refused while the lock was renewed within the staleness window (4m) unless --force; with --run-id, only that holder's lock. "
    + "Exit 0: released, or no lock; 4: refused (a live holder, or another holder than --run-id), nothing released; 2: bad input; 3: cluster unreachable or permission denied.")]
public sealed class UnlockOptions : ClusterOptions
{
    [Option("force", HelpText = "Release the lock even though it was renewed within the staleness window (its holder may be alive: only when you know that run is gone).")]
    public bool Force { get; set; }

    [Usage(ApplicationAlias = "ciupgrade")]
    public static IEnumerable<Example> Examples =>
    [
        new("Release the lock a killed run left behind, as the waiting stage names it (exit 0 released or no lock; 4 refused: renewed within 4m without --force, or held by another run than --run-id)",
            new UnParserSettings { SkipDefault = true }, new UnlockOptions { Namespace = "3scale", RunId = "alice@laptop pid 4242", Force = true }),
    ];
}
