namespace CiUpgrade.Rules;

/// <summary>Where a DC's rollout stands.</summary>
public enum RolloutPhase
{
    Waiting,
    Complete,
    Failed,
}

/// <summary>The judgement of one DC's rollout, with what a progress line shows.</summary>
public sealed record RolloutVerdict(RolloutPhase Phase, string Message, long Version, int Ready, int Desired, string RcPhase);
