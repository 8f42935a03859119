namespace CiUpgrade.Rules;

/// <summary>
/// What the rules found for one DC of the plan: its image problems (what runs against what the plan's target
/// resolves to), its rollout problems (what runs is not that template), notes (containers no rule covers), and
/// whether it was skipped (an absent optional DC). <see cref="ScaledToZero"/> notes a DC at 0 replicas the plan does
/// not require to run (<see cref="Rules.ScaledToZero"/>): with no problem its testcase is skipped with that note, not
/// passed (no pod shows the image) and not failed. Verify reports it as one testcase, drift as two.
/// </summary>
public sealed record DeploymentJudgement(
    string DeploymentConfig,
    string? Skipped,
    IReadOnlyList<string> ImageProblems,
    IReadOnlyList<string> RolloutProblems,
    IReadOnlyList<string> Notes,
    string ImageSummary,
    string RolloutSummary)
{
    public string? ScaledToZero { get; init; }

    public bool Passed => Skipped is null && ImageProblems.Count == 0 && RolloutProblems.Count == 0;

    /// <summary>Verify's testcase: one per DC, the first problem as the one-line message, all of them in the body.</summary>
    public DigestResult AsTestcase()
    {
        if (Skipped is not null)
        {
            return new DigestResult(DeploymentConfig, CheckOutcome.Skipped, Skipped, []) { Notes = Notes };
        }

        var problems = ImageProblems.Concat(RolloutProblems).ToList();
        return problems.Count > 0 ? new DigestResult(DeploymentConfig, CheckOutcome.Failed, OneLine(problems), problems) { Notes = WithScale(Notes) }
            : ScaledToZero is { } scaled ? new DigestResult(DeploymentConfig, CheckOutcome.Skipped, $"{scaled} ({ImageSummary}; {RolloutSummary})", []) { Notes = Notes }
            : new DigestResult(DeploymentConfig, CheckOutcome.Passed, $"{ImageSummary}; {RolloutSummary}", []) { Notes = Notes };
    }

    /// <summary>The notes, with the scaled-to-zero one first when there is one (a failed DC at 0 replicas says so too).</summary>
    public IReadOnlyList<string> WithScale(IReadOnlyList<string> notes) => ScaledToZero is { } scaled ? [scaled, .. notes] : notes;

    /// <summary>The first problem, with how many more there are: a failure message stays one line.</summary>
    public static string OneLine(IReadOnlyList<string> problems) =>
        problems.Count == 1 ? problems[0] : $"{problems[0]} (and {problems.Count - 1} more)";
}
