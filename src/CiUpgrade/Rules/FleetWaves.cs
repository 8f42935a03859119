namespace CiUpgrade.Rules;

/// <summary>One wave of a fleet upgrade: its name, what Tekton says of its PipelineTask, and its installs (by name).</summary>
public sealed record FleetWave(string Name, string Status, IReadOnlyList<string> Installs)
{
    /// <summary>Whether the wave's TaskRuns were created (a matrix runs every install of a started wave to its end).</summary>
    public bool Ran => Status != FleetWaves.NotRun;
}

/// <summary>
/// A fleet upgrade's waves as `report --waves` receives them: <c>WAVE=STATUS</c> opens a wave, the entries after it
/// (NAME:SECRET:NAMESPACE) are its installs. STATUS is Tekton's <c>$(tasks.WAVE.status)</c> in a finally task
/// (tektoncd/pipeline docs/pipelines.md "Using Execution Status of pipelineTask"): Succeeded, Failed, or None for a
/// PipelineTask that never ran — skipped because an earlier wave failed, or because an earlier wave was empty (an empty
/// matrix skips its task, and a task skipped for any reason but its own `when` skips every task after it:
/// pkg/reconciler/pipelinerun/resources/pipelinerunresolution.go skipBecauseParentTaskWasSkipped).
/// </summary>
public static class FleetWaves
{
    public const string NotRun = "None";

    private static readonly string[] Statuses = ["Succeeded", "Failed", NotRun];

    /// <summary>The tokens in order; entry names are not checked here (the caller parses each as a TargetEntry).</summary>
    public static IReadOnlyList<(string Wave, string Status, IReadOnlyList<string> Entries)> Parse(IEnumerable<string> tokens)
    {
        var waves = new List<(string, string, List<string>)>();
        foreach (var token in tokens.Where(t => t.Length > 0))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                var (wave, status) = (token[..equals], token[(equals + 1)..]);
                if (wave.Length == 0 || !Statuses.Contains(status, StringComparer.Ordinal))
                {
                    throw new UpgradeException(ExitCode.BadInput,
                        $"--waves \"{token}\" is not WAVE=STATUS with STATUS Succeeded, Failed or None (Tekton's $(tasks.WAVE.status))");
                }

                if (waves.Any(w => w.Item1 == wave))
                {
                    throw new UpgradeException(ExitCode.BadInput, $"--waves names wave {wave} twice");
                }

                waves.Add((wave, status, []));
            }
            else if (waves.Count == 0)
            {
                throw new UpgradeException(ExitCode.BadInput, $"--waves starts with the install \"{token}\": open each wave with WAVE=STATUS (e.g. wave-1=Succeeded) before its installs");
            }
            else
            {
                waves[^1].Item3.Add(token);
            }
        }

        return waves.Select(w => (w.Item1, w.Item2, (IReadOnlyList<string>)w.Item3)).ToList();
    }

    /// <summary>
    /// Why an install of <paramref name="wave"/> has no verify report. A wave that ran ran every install to its end
    /// (Tekton lets a matrix's other TaskRuns finish when one fails), so a missing report there is that install's own
    /// failure before verify; in a wave that never ran, nothing was changed.
    /// </summary>
    public static string MissingReport(FleetWave wave) => wave.Ran
        ? $"failed before verify ({wave.Name} ran): its upgrade stopped at an earlier step, named in its TaskRun's log; nothing after that step ran"
        : $"not started: {wave.Name} never ran, because an earlier wave failed or was empty; nothing was changed";
}
