namespace CiUpgrade.Cluster;

/// <summary>How a command run through pods/exec ended: its exit code (from the status channel), the status message and the end of its stderr.</summary>
public sealed record ExecResult(int ExitCode, string? Message, string StderrTail);
