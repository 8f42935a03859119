using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// The pod the deployer runs a rollout's pre hook in (openshift/origin pkg/apps/strategy/support/lifecycle.go,
/// makeHookPod): named `&lt;rc&gt;-hook-pre`, labelled openshift.io/deployer-pod-for.name=&lt;rc&gt; and
/// openshift.io/deployer-pod.type=hook-pre, one container "lifecycle". Under failurePolicy Retry its restartPolicy is
/// OnFailure, so a failing hook shows as restarts with the last exit; otherwise the pod ends Failed.
/// </summary>
public static class PreHookPod
{
    public const string Container = "lifecycle";

    /// <summary>Label selector of a rollout's pre hook pod.</summary>
    public static string Selector(string rc) => $"openshift.io/deployer-pod-for.name={rc},openshift.io/deployer-pod.type=hook-pre";

    /// <summary>Why the hook is failing (the pod failed, or its container exited non-zero and is restarted); null when it is not.</summary>
    public static string? Failure(V1Pod pod)
    {
        var name = pod.Metadata.Name;
        var status = pod.Status;
        var container = status?.ContainerStatuses?.FirstOrDefault();
        var terminated = container?.State?.Terminated ?? container?.LastState?.Terminated;
        var exit = terminated is null ? string.Empty : $"{terminated.Reason ?? "exited"} (exit code {terminated.ExitCode})";
        if (status?.Phase == "Failed")
        {
            var reason = status.Reason is { Length: > 0 } r ? $"{r}: {status.Message}" + (exit.Length > 0 ? $"; last exit: {exit}" : string.Empty) : exit;
            return $"pre hook pod {name} failed: {(reason.Length > 0 ? reason : "Failed")}";
        }

        if (container?.LastState?.Terminated is { ExitCode: not 0 } && container.RestartCount > 0)
        {
            return $"pre hook pod {name} failed {container.RestartCount} time(s) and is being restarted (failurePolicy Retry): {exit}"
                + (container.State?.Waiting?.Reason is { } waiting ? $", now {waiting}" : string.Empty);
        }

        return null;
    }

    /// <summary>Where a hook that is not failing stands, for progress lines.</summary>
    public static string Progress(V1Pod pod) => $"pre hook pod {pod.Metadata.Name} {pod.Status?.Phase ?? "Pending"}";
}
