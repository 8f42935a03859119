using System.Globalization;
using CiUpgrade.Cluster.Models;
using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// Is this DC's rollout done? Judged as `oc rollout status` judges a DC (openshift/oc
/// pkg/helpers/originpolymorphichelpers/deploymentconfigs/status.go): the latest version, the generation observed,
/// then the replica counts (updated == desired, no old replicas left, updated ones available), with the latest RC's
/// phase annotation (`openshift.io/deployment.phase`) in place of the Progressing condition's reason: upstream
/// appsutil.SetDeploymentCondition keeps a condition whose status and reason did not change, message included, so the
/// condition can still name an older RC (review D16). Its message is only shown. Stricter than oc as the runbook
/// asks: the latest RC must carry the expected template, and every older RC must be scaled to zero with its pods gone.
/// </summary>
public static class RolloutState
{
    public const string PhaseAnnotation = "openshift.io/deployment.phase";

    public static RolloutVerdict Evaluate(DeploymentConfig dc, IReadOnlyList<V1ReplicationController> rcs, RolloutExpectation expectation)
    {
        var name = dc.Metadata.Name;
        var version = dc.Status.LatestVersion;
        var desired = dc.Spec.Replicas;
        var rcName = RcName(dc);
        var latest = rcs.FirstOrDefault(rc => rc.Metadata.Name == rcName);
        var rcPhase = Phase(latest) ?? "none";
        var ready = latest?.Status?.AvailableReplicas ?? 0;
        RolloutVerdict Verdict(RolloutPhase phase, string message) => new(phase, message, version, ready, desired, rcPhase);

        if (dc.Spec.Paused == true)
        {
            return Verdict(RolloutPhase.Failed, $"DeploymentConfig {name} is paused: resume it (oc rollout resume dc/{name}) and rerun");
        }

        if (!expectation.Matches(dc.Spec.Template?.Spec))
        {
            // UpdateDeploymentConfigImages skips a trigger with automatic: false, so this template will never change by itself (review D9).
            var manual = TriggeredImages.ManualContainers(dc).Where(c => expectation.ImageByContainer.ContainsKey(c)).ToList();
            return manual.Count > 0
                ? Verdict(RolloutPhase.Failed, ManualTriggerMessage(name, manual)) with { ManualTrigger = true }
                : Verdict(RolloutPhase.Waiting, $"waiting for the pod template to get {expectation.Description}");
        }

        if (NotObserved(dc) is { } notObserved)
        {
            return Verdict(RolloutPhase.Waiting, notObserved);
        }

        if (latest is null || !expectation.Matches(latest.Spec?.Template?.Spec))
        {
            return Verdict(RolloutPhase.Waiting, $"waiting for a new version with {expectation.Description}");
        }

        var oldServing = OthersServing(rcs, rcName);
        if (rcPhase == "Failed")
        {
            var serving = oldServing.FirstOrDefault()?.Metadata.Name;
            return Verdict(RolloutPhase.Failed, $"latest deployment {rcName} failed{(serving is null ? string.Empty : $" ({serving} still serves)")}")
                with { FailedDeployment = rcName, Serving = serving };
        }

        var s = dc.Status;
        if (rcPhase == "Complete" && ReplicaProblem(dc) is null && oldServing.Count == 0)
        {
            // At 0 replicas a complete version runs nothing: said, so that "rolled out" is never read as "serving" (ScaledToZero).
            return Verdict(RolloutPhase.Complete, $"replication controller \"{rcName}\" successfully rolled out{(desired == 0 ? " (scaled to zero: nothing runs)" : string.Empty)}");
        }

        return Verdict(RolloutPhase.Waiting, ReplicaProblem(dc)
            ?? (oldServing.Count > 0 ? $"{oldServing.Sum(rc => rc.Status?.Replicas ?? 0)} old replicas of {string.Join(", ", oldServing.Select(rc => rc.Metadata.Name))} are pending termination"
            : $"latest deployment {rcName} is {rcPhase}, {s.AvailableReplicas} of {desired} replicas available"));
    }

    /// <summary>`&lt;dc&gt;-&lt;latestVersion&gt;`, the latest deployment's RC (appsutil.LatestDeploymentNameForConfig).</summary>
    public static string RcName(DeploymentConfig dc) => $"{dc.Metadata.Name}-{dc.Status.LatestVersion.ToString(CultureInfo.InvariantCulture)}";

    public static string? Phase(V1ReplicationController? rc) =>
        rc?.Metadata.Annotations?.TryGetValue(PhaseAnnotation, out var p) == true ? p : null;

    /// <summary>oc's "Waiting for latest deployment config spec to be observed", saying which generation.</summary>
    public static string? NotObserved(DeploymentConfig dc) =>
        (dc.Metadata.Generation ?? 0) > dc.Status.ObservedGeneration
            ? $"the controller has not observed generation {dc.Metadata.Generation} yet (observed {dc.Status.ObservedGeneration})"
            : null;

    /// <summary>oc rollout status's replica rules, in its order; null when updated == desired, none old, all available.</summary>
    public static string? ReplicaProblem(DeploymentConfig dc)
    {
        var s = dc.Status;
        if (s.UpdatedReplicas < dc.Spec.Replicas)
        {
            return $"{s.UpdatedReplicas} of {dc.Spec.Replicas} new replicas have been updated";
        }

        if (s.Replicas > s.UpdatedReplicas)
        {
            return $"{s.Replicas - s.UpdatedReplicas} old replicas are pending termination";
        }

        return s.AvailableReplicas < s.UpdatedReplicas ? $"{s.AvailableReplicas} of {s.UpdatedReplicas} updated replicas are available" : null;
    }

    /// <summary>RCs other than the latest that still have pods or want some, newest first (the one the deployer revived serves).</summary>
    public static IReadOnlyList<V1ReplicationController> OthersServing(IReadOnlyList<V1ReplicationController> rcs, string latestName) =>
        rcs.Where(rc => rc.Metadata.Name != latestName && ((rc.Spec?.Replicas ?? 0) > 0 || (rc.Status?.Replicas ?? 0) > 0))
            .OrderByDescending(rc => Version(rc)).ToList();

    public static string ManualTriggerMessage(string dc, IReadOnlyList<string> containers) =>
        $"the image trigger of DeploymentConfig {dc} for {string.Join(", ", containers)} is manual (automatic: false), so its template never gets the new image: run `oc set triggers dc/{dc} --auto`, then rerun";

    private static long Version(V1ReplicationController rc) =>
        rc.Metadata.Annotations?.TryGetValue("openshift.io/deployment-config.latest-version", out var v) == true && long.TryParse(v, CultureInfo.InvariantCulture, out var n)
            ? n
            : long.TryParse(rc.Metadata.Name[(rc.Metadata.Name.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture, out var fromName) ? fromName : 0;

    /// <summary>
    /// A lifecycle hook pod of the deployment that failed (label openshift.io/deployer-pod.type = hook-pre, hook-mid or
    /// hook-post, as openshift-controller-manager's deployer sets it), with its container's termination reason.
    /// </summary>
    public static string? HookFailureReason(IEnumerable<V1Pod> deployerPods)
    {
        foreach (var pod in deployerPods)
        {
            var type = pod.Metadata.Labels?.TryGetValue("openshift.io/deployer-pod.type", out var t) == true ? t : null;
            if (type?.StartsWith("hook-", StringComparison.Ordinal) == true && pod.Status?.Phase == "Failed")
            {
                var terminated = pod.Status.ContainerStatuses?.Select(c => c.State?.Terminated).FirstOrDefault(x => x is not null);
                var why = terminated is null ? "Failed" : $"{terminated.Reason ?? "Error"} (exit code {terminated.ExitCode})";
                return $"{type} hook pod {pod.Metadata.Name} failed: {why}; see `oc logs {pod.Metadata.Name}`";
            }
        }

        return null;
    }

    /// <summary>Why the pods of a rollout are not ready, from their container states (ImagePullBackOff, CrashLoopBackOff, ...).</summary>
    public static string? PodFailureReason(IEnumerable<V1Pod> pods)
    {
        foreach (var pod in pods)
        {
            foreach (var status in (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? []))
            {
                var waiting = status.State?.Waiting;
                if (waiting?.Reason is { } reason && reason is not ("ContainerCreating" or "PodInitializing"))
                {
                    var detail = status.LastState?.Terminated?.Message is { Length: > 0 } last ? $"; last exit: {last}" : string.Empty;
                    return $"pod {pod.Metadata.Name} container {status.Name}: {reason}: {waiting.Message}{detail}";
                }
            }
        }

        return null;
    }
}
