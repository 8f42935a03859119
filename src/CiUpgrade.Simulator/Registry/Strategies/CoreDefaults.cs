using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>
/// The core/v1 defaulting kube-apiserver applies to every write of a pod or replication controller
/// (k8s.io/kubernetes pkg/apis/core/v1/defaults.go at 1.11: SetDefaults_ReplicationController, SetDefaults_PodSpec,
/// SetDefaults_Container, SetDefaults_ContainerPort, SetDefaults_Probe, SetDefaults_HTTPGetAction,
/// SetDefaults_ObjectFieldSelector, SetDefaults_SecretVolumeSource / ConfigMapVolumeSource), plus what the
/// ServiceAccount admission plugin fills in (serviceAccountName "default"; serviceAccount is its deprecated alias).
/// Only fields that are unset are written, so applying it twice changes nothing.
/// </summary>
public static class CoreDefaults
{
    public static void ReplicationController(JsonObject rc)
    {
        var spec = rc.Obj("spec");
        if (spec["template"]?["metadata"]?["labels"] is JsonObject labels && labels.Count > 0)
        {
            if (spec["selector"] is not JsonObject { Count: > 0 })
            {
                spec["selector"] = labels.DeepClone();
            }

            if (rc.Meta()["labels"] is not JsonObject { Count: > 0 })
            {
                rc.Meta()["labels"] = labels.DeepClone();
            }
        }

        spec["replicas"] ??= 1;
        if (spec["template"] is JsonObject template)
        {
            PodSpec(template.Obj("spec"));
        }
    }

    public static void Pod(JsonObject pod)
    {
        var spec = pod.Obj("spec");
        PodSpec(spec);
        if (string.IsNullOrEmpty(spec.Str("serviceAccountName")))
        {
            spec["serviceAccountName"] = string.IsNullOrEmpty(spec.Str("serviceAccount")) ? "default" : spec.Str("serviceAccount");
        }

        spec["serviceAccount"] = spec.Str("serviceAccountName");
    }

    public static void PodSpec(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        foreach (var container in spec["containers"].Objects().Concat(spec["initContainers"].Objects()))
        {
            Container(container);
        }

        foreach (var volume in spec["volumes"].Objects())
        {
            if (volume["secret"] is JsonObject secret)
            {
                secret["defaultMode"] ??= 420;
            }

            if (volume["configMap"] is JsonObject configMap)
            {
                configMap["defaultMode"] ??= 420;
            }
        }
    }

    private static void Container(JsonObject container)
    {
        container["terminationMessagePath"] ??= "/dev/termination-log";
        container["terminationMessagePolicy"] ??= "File";
        container["imagePullPolicy"] ??= PullPolicy(container.Str("image") ?? string.Empty);
        container["resources"] ??= new JsonObject();
        foreach (var port in container["ports"].Objects())
        {
            port["protocol"] ??= "TCP";
        }

        foreach (var env in container["env"].Objects())
        {
            if (env["valueFrom"]?["fieldRef"] is JsonObject fieldRef)
            {
                fieldRef["apiVersion"] ??= "v1";
            }
        }

        foreach (var probe in new[] { container["livenessProbe"], container["readinessProbe"] }.OfType<JsonObject>())
        {
            probe["timeoutSeconds"] ??= 1;
            probe["periodSeconds"] ??= 10;
            probe["successThreshold"] ??= 1;
            probe["failureThreshold"] ??= 3;
            if (probe["httpGet"] is JsonObject httpGet)
            {
                httpGet["path"] ??= "/";
                httpGet["scheme"] ??= "HTTP";
            }
        }
    }

    /// <summary>SetDefaults_Container: Always for a ":latest" or untagged (and undigested) image, else IfNotPresent.</summary>
    private static string PullPolicy(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSlash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', lastSlash + 1);
        var tag = colon < 0 ? "latest" : image[(colon + 1)..];
        return tag == "latest" ? "Always" : "IfNotPresent";
    }
}
