namespace CiUpgrade.Simulator.Controllers;

/// <summary>Annotation and label keys of DC deployments (library-go pkg/apps/appsutil/const.go).</summary>
public static class DeploymentAnnotations
{
    public const string ConfigName = "openshift.io/deployment-config.name";
    public const string LatestVersion = "openshift.io/deployment-config.latest-version";
    public const string Phase = "openshift.io/deployment.phase";
    public const string StatusReason = "openshift.io/deployment.status-reason";
    public const string EncodedConfig = "openshift.io/encoded-deployment-config";
    public const string DesiredReplicas = "kubectl.kubernetes.io/desired-replicas";
    public const string DeploymentReplicas = "openshift.io/deployment.replicas";
    public const string DeployerPodName = "openshift.io/deployer-pod.name";
    public const string DeployerPodCreatedAt = "openshift.io/deployer-pod.created-at";
    public const string DeployerPodStartedAt = "openshift.io/deployer-pod.started-at";
    public const string DeployerPodCompletedAt = "openshift.io/deployer-pod.completed-at";
    public const string DeployerPodFor = "openshift.io/deployer-pod-for.name";
    public const string DeploymentName = "openshift.io/deployment.name";
    public const string Cancelled = "openshift.io/deployment.cancelled";

    public static bool IsTerminal(string? phase) => phase is "Complete" or "Failed";

    /// <summary>Go's time.String() form the deployer uses, e.g. "2020-02-03 10:01:05 +0000 UTC".</summary>
    public static string GoTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " +0000 UTC";
}
