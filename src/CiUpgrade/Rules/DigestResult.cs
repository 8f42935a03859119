namespace CiUpgrade.Rules;

/// <summary>The outcome of verifying one DC's images.</summary>
public enum CheckOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>
/// One verify testcase: a DC (or another checked item), its outcome, and the expected-vs-actual lines of any failure.
/// <see cref="Notes"/> are listed in the report's system-out, never failed (e.g. an injected sidecar no rule covers).
/// </summary>
public sealed record DigestResult(string DeploymentConfig, CheckOutcome Outcome, string Message, IReadOnlyList<string> Problems)
{
    public IReadOnlyList<string> Notes { get; init; } = [];
}
