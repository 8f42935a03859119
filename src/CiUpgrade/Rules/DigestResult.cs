namespace CiUpgrade.Rules;

/// <summary>The outcome of verifying one DC's images.</summary>
public enum CheckOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One verify testcase: a DC, its outcome, and the expected-vs-actual lines of any failure.</summary>
public sealed record DigestResult(string DeploymentConfig, CheckOutcome Outcome, string Message, IReadOnlyList<string> Problems);
