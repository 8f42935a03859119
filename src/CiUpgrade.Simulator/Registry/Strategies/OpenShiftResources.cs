namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>Every resource the simulator serves, with its strategy.</summary>
public static class OpenShiftResources
{
    private static readonly string[] AllVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    public static IReadOnlyList<IResourceStrategy> All() =>
    [
        new ImageStreamStrategy(),
        new DeploymentConfigStrategy(),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "Namespace", "namespaces", "namespace", false, ["ns"], AllVerbs, ["namespaces/status"]), hasStatus: true),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", true, ["rc"], AllVerbs, ["replicationcontrollers/status", "replicationcontrollers/scale"]), hasStatus: true, CoreDefaults.ReplicationController),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "Pod", "pods", "pod", true, ["po"], AllVerbs, ["pods/status", "pods/log"]), hasStatus: true, CoreDefaults.Pod),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "ConfigMap", "configmaps", "configmap", true, ["cm"], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "Secret", "secrets", "secret", true, [], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType(string.Empty, "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, ["sa"], AllVerbs, []), hasStatus: false),
        new GenericStrategy(new ResourceType("build.openshift.io", "v1", "BuildConfig", "buildconfigs", "buildconfig", true, ["bc"], AllVerbs, ["buildconfigs/instantiate", "buildconfigs/instantiatebinary"]), hasStatus: true),
        new GenericStrategy(new ResourceType("build.openshift.io", "v1", "Build", "builds", "build", true, [], AllVerbs, ["builds/log"]), hasStatus: true),
    ];
}
