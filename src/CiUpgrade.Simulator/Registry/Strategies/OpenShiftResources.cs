namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>Every resource the simulator serves, with its strategy.</summary>
public static class OpenShiftResources
{
    private static readonly string[] AllVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    /// <summary>
    /// The kinds the project backup saves (runbook §2.1) are served generically, in the group version the server
    /// answers for them: CronJobs batch/v1beta1 and PodDisruptionBudgets policy/v1beta1 before Kubernetes 1.21
    /// (OpenShift 3.11), batch/v1 and policy/v1 from then on.
    /// </summary>
    public static IReadOnlyList<IResourceStrategy> All(Api.ServerVersion? version = null)
    {
        var v1From121 = (version ?? Api.ServerVersion.OpenShift311).AtLeast(1, 21) ? "v1" : "v1beta1";
        return
    [
        new ImageStreamStrategy(),
        new DeploymentConfigStrategy(),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "Namespace", "namespaces", "namespace", false, ["ns"], AllVerbs, ["namespaces/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", true, ["rc"], AllVerbs, ["replicationcontrollers/status", "replicationcontrollers/scale"]), hasStatus: true, CoreDefaults.ReplicationController),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "Pod", "pods", "pod", true, ["po"], AllVerbs, ["pods/status", "pods/log", "pods/exec"]), hasStatus: true, CoreDefaults.Pod),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "ConfigMap", "configmaps", "configmap", true, ["cm"], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "Secret", "secrets", "secret", true, [], AllVerbs, []), hasStatus: false),
        // TokenRequest (POST serviceaccounts/<name>/token): authentication.k8s.io/v1, GA in Kubernetes 1.22; OpenShift 3.11
        // (1.11, where it was an alpha gate OpenShift left off) does not serve it.
        new GenericStrategy(new ResourceType(string.Empty, "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, ["sa"], AllVerbs,
            (version ?? Api.ServerVersion.OpenShift311).AtLeast(1, 22) ? ["serviceaccounts/token"] : []), hasStatus: false),
        new GenericStrategy(new ResourceType("build.openshift.io", "v1", "BuildConfig", "buildconfigs", "buildconfig", true, ["bc"], AllVerbs, ["buildconfigs/instantiate", "buildconfigs/instantiatebinary"]), hasStatus: true),
        new GenericStrategy(new ResourceType("build.openshift.io", "v1", "Build", "builds", "build", true, [], AllVerbs, ["builds/log"]), hasStatus: true),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "Service", "services", "service", true, ["svc"], AllVerbs, ["services/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", true, ["pvc"], AllVerbs, ["persistentvolumeclaims/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "LimitRange", "limitranges", "limitrange", true, ["limits"], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "ResourceQuota", "resourcequotas", "resourcequota", true, ["quota"], AllVerbs, ["resourcequotas/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType("route.openshift.io", "v1", "Route", "routes", "route", true, [], AllVerbs, ["routes/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType("template.openshift.io", "v1", "Template", "templates", "template", true, [], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", true, [], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", true, [], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType("batch", v1From121, "CronJob", "cronjobs", "cronjob", true, ["cj"], AllVerbs, ["cronjobs/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType("apps", "v1", "StatefulSet", "statefulsets", "statefulset", true, ["sts"], AllVerbs, ["statefulsets/status", "statefulsets/scale"]), hasStatus: true),
        new GenericStrategy(new ResourceType("apps", "v1", "Deployment", "deployments", "deployment", true, ["deploy"], AllVerbs, ["deployments/status", "deployments/scale"]), hasStatus: true),
        new GenericStrategy(new ResourceType("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", true, ["hpa"], AllVerbs, ["horizontalpodautoscalers/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType("policy", v1From121, "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true, ["pdb"], AllVerbs, ["poddisruptionbudgets/status"]), hasStatus: true),
    ];
    }
}
