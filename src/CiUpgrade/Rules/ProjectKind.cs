namespace CiUpgrade.Rules;

/// <summary>
/// One kind the project backup saves (runbook §2.1): its resource name, the group versions that may serve it
/// (preferred first: OpenShift 3.11 serves CronJobs as batch/v1beta1 and PodDisruptionBudgets as policy/v1beta1,
/// Kubernetes 1.21+ as v1), and whether rollback needs it (then not being able to read it is an error, not a skip).
/// </summary>
public sealed record ProjectKind(string Kind, string Resource, IReadOnlyList<string> GroupVersions, bool NeededByRollback = false)
{
    /// <summary>The file it is saved to: `&lt;resource&gt;.json`, a v1 List.</summary>
    public string File => Resource + ".json";

    /// <summary>Every kind the guide lists, in its order (DCs and image streams first: rollback restores from them).</summary>
    public static IReadOnlyList<ProjectKind> All { get; } =
    [
        new("ImageStream", "imagestreams", ["image.openshift.io/v1"], NeededByRollback: true),
        new("DeploymentConfig", "deploymentconfigs", ["apps.openshift.io/v1"], NeededByRollback: true),
        new("BuildConfig", "buildconfigs", ["build.openshift.io/v1"]),
        new("Route", "routes", ["route.openshift.io/v1"]),
        new("Service", "services", ["v1"]),
        new("ConfigMap", "configmaps", ["v1"]),
        new("Secret", "secrets", ["v1"]),
        new("ServiceAccount", "serviceaccounts", ["v1"]),
        new("RoleBinding", "rolebindings", ["rbac.authorization.k8s.io/v1"]),
        new("PersistentVolumeClaim", "persistentvolumeclaims", ["v1"]),
        new("Template", "templates", ["template.openshift.io/v1"]),
        new("CronJob", "cronjobs", ["batch/v1", "batch/v1beta1"]),
        new("StatefulSet", "statefulsets", ["apps/v1"]),
        new("HorizontalPodAutoscaler", "horizontalpodautoscalers", ["autoscaling/v1"]),
        new("Deployment", "deployments", ["apps/v1"]),
        new("PodDisruptionBudget", "poddisruptionbudgets", ["policy/v1", "policy/v1beta1"]),
        new("LimitRange", "limitranges", ["v1"]),
        new("ResourceQuota", "resourcequotas", ["v1"]),
    ];

    /// <summary>"" and "v1", or "apps" and "v1".</summary>
    public static (string Group, string Version) Split(string groupVersion) =>
        groupVersion.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? (groupVersion[..slash], groupVersion[(slash + 1)..]) : (string.Empty, groupVersion);
}
