namespace CiUpgrade;

/// <summary>The process exit codes, documented in README, docs/stages.md and --help.</summary>
public enum ExitCode
{
    Success = 0,
    VerificationFailed = 1,
    BadInput = 2,
    ClusterUnreachable = 3,
    WrongClusterState = 4,
    RolloutFailed = 5,
}
