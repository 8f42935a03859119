namespace CiUpgrade.Cli;

/// <summary>
/// Where a stage finds its cluster when Tekton mounts a target Secret (keys <c>kubeconfig</c> and optional
/// <c>context</c>) as a directory: <c>--kubeconfig-dir DIR</c> is <c>--kubeconfig DIR/kubeconfig</c> and, when the file
/// <c>DIR/context</c> exists, <c>--context</c> its content. With <c>--target NAME:SECRET:NAMESPACE</c>, DIR holds one such
/// directory per Secret (a projected targets workspace) and SECRET picks it; an empty SECRET means this cluster.
/// An empty DIR value (an unbound optional workspace), or an empty directory (an emptyDir bound in its place), means
/// "not given": the pod's ServiceAccount, as before.
/// </summary>
public static class TargetKubeconfig
{
    public const string KubeconfigKey = "kubeconfig";
    public const string ContextKey = "context";

    public static (string? Kubeconfig, string? Context, string? Namespace) Resolve(string? directory, TargetEntry? target, string? kubeconfig, string? context, string? ns)
    {
        if (target?.Namespace is { } targetNs)
        {
            if (ns is not null && ns != targetNs)
            {
                throw new UpgradeException(ExitCode.BadInput, $"-n/--namespace {ns} and --target's namespace {targetNs} differ: give one");
            }

            ns = targetNs;
        }

        if (target is not null && target.Secret is null)
        {
            // This cluster: whatever the pod or the user's kubeconfig gives, as for a stage without a target.
            return (kubeconfig, context, ns);
        }

        // An empty directory is a workspace bound to an emptyDir in place of no Secret (a TriggerTemplate must bind every
        // workspace): this cluster too. A Secret volume is never empty, so a mistyped Secret fails the pod instead.
        if (directory is not null && target is null && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            directory = null;
        }

        if (directory is null)
        {
            return target is null ? (kubeconfig, context, ns)
                : throw new UpgradeException(ExitCode.BadInput,
                    $"--target {target.Name} names Secret {target.Secret}, but no --kubeconfig-dir holds it: bind the targets workspace (tekton/README.md)");
        }

        if (kubeconfig is not null)
        {
            throw new UpgradeException(ExitCode.BadInput, "--kubeconfig and --kubeconfig-dir both given: pass one");
        }

        var dir = target?.Secret is { } secret ? Path.Combine(directory, secret) : directory;
        var file = Path.Combine(dir, KubeconfigKey);
        if (!File.Exists(file))
        {
            throw new UpgradeException(ExitCode.BadInput, target is null
                ? $"--kubeconfig-dir {dir} holds no file {KubeconfigKey}: bind the target workspace to a Secret with a {KubeconfigKey} key (ciupgrade target-kubeconfig writes one)"
                : $"--target {target.Name}: {dir} holds no file {KubeconfigKey}: project Secret {target.Secret} (its {KubeconfigKey} key) into the targets workspace under {target.Secret}/");
        }

        var contextFile = Path.Combine(dir, ContextKey);
        if (context is null && File.Exists(contextFile))
        {
            context = CliApp.NullIfEmpty(File.ReadAllText(contextFile).Trim());
        }

        return (file, context, ns);
    }
}
