namespace CiUpgrade.Cli;

/// <summary>
/// One install of a fleet, as Tekton's matrix hands it to a Task: <c>NAME:SECRET:NAMESPACE</c>. NAME names the install
/// in reports (a DNS label); SECRET is the target Secret projected as a directory of the targets workspace (empty: this
/// cluster, through the pod's ServiceAccount); NAMESPACE is the 3scale namespace (empty: the kubeconfig context's).
/// `NAME` and `NAME:SECRET` are short for an empty rest.
/// </summary>
public sealed record TargetEntry(string Name, string? Secret, string? Namespace)
{
    public static TargetEntry Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length > 3 || parts[0].Length == 0)
        {
            throw new UpgradeException(ExitCode.BadInput,
                $"--target \"{InputValidation.Shorten(text)}\" is not NAME:SECRET:NAMESPACE (e.g. prod:ciupgrade-target-prod:3scale, or dev::3scale for this cluster)");
        }

        var name = InputValidation.Namespace(parts[0], "--target's NAME");
        var secret = parts.Length > 1 && parts[1].Length > 0 ? InputValidation.ObjectName(parts[1], "--target's SECRET") : null;
        var ns = parts.Length > 2 && parts[2].Length > 0 ? InputValidation.Namespace(parts[2], "--target's NAMESPACE") : null;
        return new TargetEntry(name, secret, ns);
    }
}
