using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The one rule for a DC kept at 0 replicas on purpose (e.g. apicast-staging where only production traffic is
/// served), applied by preflight, the stages' checks, the waits, verify and drift alike: it is upgraded like any other
/// (its image trigger still moves the template to the new image, and the deployer completes a version with no pods:
/// openshift-controller-manager's deployer scales the new RC to spec.replicas, 0), so its rollout is judged as usual,
/// and what cannot be checked — that pods run the image — is reported as "scaled to zero": a skipped testcase, not a
/// failed one. Unless the plan marks the DC mustRun (`verify[].mustRun: true`): then 0 replicas is refused before the
/// first change and fails verify, since nothing serves.
/// </summary>
public static class ScaledToZero
{
    public static bool Is(DeploymentConfig dc) => dc.Spec.Replicas == 0;

    /// <summary>The note verify, drift and preflight give a scaled-to-zero DC the plan does not require to run.</summary>
    public static string Note(string dc) =>
        $"DeploymentConfig {dc} is scaled to zero: upgraded (template, trigger and image judged), but nothing runs, so it is skipped";

    /// <summary>Why a DC the plan requires to run fails at 0 replicas, and what to do.</summary>
    public static string Required(string dc) =>
        $"DeploymentConfig {dc} is scaled to zero, but the plan requires it to run (verify mustRun): scale it up with `oc scale dc/{dc} --replicas=N`";

    /// <summary>Whether the plan requires this DC to run (a verify entry with mustRun).</summary>
    public static bool MustRun(UpgradePlan plan, string dc) => plan.Verify.Any(v => v.DeploymentConfig == dc && v.MustRun);
}
