namespace CiUpgrade.Cli;

/// <summary>
/// A mistake on the command line (a flag's value, a flag missing, an unknown one): exit 2 with one line that names it
/// and points at the verb's --help, where the flag is described. Input files and the cluster's answers are not usage
/// errors: they are <see cref="UpgradeException"/>s, whose message says what to do instead.
/// </summary>
public sealed class UsageException(string message) : Exception(message)
{
    public ExitCode ExitCode => ExitCode.BadInput;
}
