using System.Globalization;
using CiUpgrade.Cluster.Models;
using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// Is this DC's rollout done? The `oc rollout status` rule (openshift/oc pkg/helpers/originpolymorphichelpers/
/// deploymentconfigs/status.go: done only on Progressing=NewReplicationControllerAvailable once the generation is
/// observed; failed on ProgressDeadlineExceeded or RolloutCancelled), made stricter as the runbook asks: the latest
/// RC must carry the expected template and be Complete, updated == available == desired, and every older RC must be
/// scaled to zero with its pods gone.
/// </summary>
public static class RolloutState
{
    public const string PhaseAnnotation = "openshift.io/deployment.phase";

    public static RolloutVerdict Evaluate(DeploymentConfig dc, IReadOnlyList<V1ReplicationController> rcs, RolloutExpectation expectation)
    {
        var name = dc.Metadata.Name;
        var version = dc.Status.LatestVersion;
        var desired = dc.Spec.Replicas;
        var rcName = $"{name}-{version.ToString(CultureInfo.InvariantCulture)}";
        var latest = rcs.FirstOrDefault(rc => rc.Metadata.Name == rcName);
        var rcPhase = latest?.Metadata.Annotations?.TryGetValue(PhaseAnnotation, out var p) == true ? p : "none";
        var ready = latest?.Status?.AvailableReplicas ?? 0;
        RolloutVerdict Verdict(RolloutPhase phase, string message) => new(phase, message, version, ready, desired, rcPhase);

        if (dc.Spec.Paused == true)
        {
            return Verdict(RolloutPhase.Failed, $"DeploymentConfig {name} is paused: resume it (oc rollout resume dc/{name}) and rerun");
        }

        if (!expectation.Matches(dc.Spec.Template?.Spec))
        {
            return Verdict(RolloutPhase.Waiting, $"waiting for the pod template to get {expectation.Description}");
        }

        if ((dc.Metadata.Generation ?? 0) > dc.Status.ObservedGeneration)
        {
            return Verdict(RolloutPhase.Waiting, "waiting for the latest spec to be observed by the controller");
        }

        if (latest is null || !expectation.Matches(latest.Spec?.Template?.Spec))
        {
            return Verdict(RolloutPhase.Waiting, $"waiting for a new version with {expectation.Description}");
        }

        var progressing = dc.Status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        var namesLatest = progressing?.Message?.Contains($"\"{rcName}\"", StringComparison.Ordinal) == true;
        if (rcPhase == "Failed" || (namesLatest && progressing?.Reason is "ProgressDeadlineExceeded" or "RolloutCancelled"))
        {
            return Verdict(RolloutPhase.Failed, progressing?.Message ?? $"replication controller \"{rcName}\" failed");
        }

        var oldServing = rcs.Where(rc => rc.Metadata.Name != rcName && ((rc.Spec?.Replicas ?? 0) > 0 || (rc.Status?.Replicas ?? 0) > 0)).ToList();
        if (rcPhase == "Complete" && namesLatest && progressing?.Reason == "NewReplicationControllerAvailable"
            && dc.Status.UpdatedReplicas == desired && dc.Status.AvailableReplicas >= desired
            && dc.Status.Replicas == dc.Status.UpdatedReplicas && oldServing.Count == 0)
        {
            return Verdict(RolloutPhase.Complete, $"replication controller \"{rcName}\" successfully rolled out");
        }

        if (oldServing.Count > 0 && dc.Status.UpdatedReplicas >= desired)
        {
            return Verdict(RolloutPhase.Waiting, $"{oldServing.Sum(rc => rc.Status?.Replicas ?? 0)} old replicas are pending termination");
        }

        return Verdict(RolloutPhase.Waiting, $"{dc.Status.AvailableReplicas} of {desired} updated replicas are available");
    }

    /// <summary>
    /// The settled-state judgement from the DC's status alone (what `oc rollout status` reads): the latest version
    /// observed and reported available by Progressing=NewReplicationControllerAvailable, every replica updated and
    /// available, none left on older versions (status.replicas counts every RC's pods). Enough for a drift check,
    /// which must not list every RC of every install.
    /// </summary>
    public static RolloutVerdict EvaluateSettled(DeploymentConfig dc)
    {
        var version = dc.Status.LatestVersion;
        var rcName = $"{dc.Metadata.Name}-{version.ToString(CultureInfo.InvariantCulture)}";
        var progressing = dc.Status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        var s = dc.Status;
        var done = (dc.Metadata.Generation ?? 0) <= s.ObservedGeneration
            && progressing?.Reason == "NewReplicationControllerAvailable"
            && progressing.Message?.Contains($"\"{rcName}\"", StringComparison.Ordinal) == true
            && s.UpdatedReplicas == dc.Spec.Replicas && s.Replicas == s.UpdatedReplicas && s.AvailableReplicas >= dc.Spec.Replicas;
        var message = done ? $"replication controller \"{rcName}\" successfully rolled out"
            : progressing?.Message ?? $"version {version} has not rolled out";
        return new RolloutVerdict(done ? RolloutPhase.Complete : progressing?.Reason is "ProgressDeadlineExceeded" or "RolloutCancelled" ? RolloutPhase.Failed : RolloutPhase.Waiting,
            message, version, s.AvailableReplicas, dc.Spec.Replicas, "unknown");
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
