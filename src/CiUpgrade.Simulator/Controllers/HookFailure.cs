namespace CiUpgrade.Simulator.Controllers;

/// <summary>How a failing hook container ends: its exit code and the lines its log shows.</summary>
public sealed record HookFailure(int ExitCode, IReadOnlyList<string> Log);
