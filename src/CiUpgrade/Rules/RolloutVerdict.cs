namespace CiUpgrade.Rules;

/// <summary>Where a DC's rollout stands.</summary>
public enum RolloutPhase
{
    Waiting,
    Complete,
    Failed,
}

/// <summary>
/// The judgement of one DC's rollout, with what a progress line shows. <see cref="FailedDeployment"/> names the
/// latest replication controller when it ended Failed on the expected template (what `oc rollout latest` retries);
/// <see cref="Serving"/> the older one the deployer scaled back up, if any.
/// </summary>
public sealed record RolloutVerdict(RolloutPhase Phase, string Message, long Version, int Ready, int Desired, string RcPhase)
{
    public string? FailedDeployment { get; init; }

    public string? Serving { get; init; }

    /// <summary>Failed because a manual image trigger will never put the expected image into the template.</summary>
    public bool ManualTrigger { get; init; }
}
