namespace CiUpgrade.Cluster;

/// <summary>Commands run in pods (database dumps and restores), over the exec subresource.</summary>
public sealed partial class OpenShiftClient
{
    /// <summary>Runs a command in a pod as `oc exec` does (<see cref="PodExec"/>), stdout streamed to <paramref name="stdout"/>.</summary>
    public Task<ExecResult> ExecAsync(string pod, string container, IReadOnlyList<string> command, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> stdout, CancellationToken ct,
        Func<Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>, CancellationToken, Task>? stdin = null) =>
        new PodExec(kube, Namespace).RunAsync(pod, container, command, stdout, ct, stdin);
}
