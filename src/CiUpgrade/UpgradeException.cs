namespace CiUpgrade;

/// <summary>A failure the user can act on: one line for stderr and the documented exit code.</summary>
public sealed class UpgradeException(ExitCode exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public ExitCode ExitCode { get; } = exitCode;
}
