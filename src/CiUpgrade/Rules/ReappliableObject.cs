using System.Text.Json.Nodes;

namespace CiUpgrade.Rules;

/// <summary>
/// An object as the server returned it, turned into what `kubectl apply -f` (or `oc create -f`) accepts in this or
/// another namespace, as `oc get --export` did before oc 4.x dropped it (runbook §2.1): no status and none of the
/// fields the server owns or that tie the object to this cluster — uid, resourceVersion (a create that carries one
/// is refused), generation, creationTimestamp, selfLink, managedFields, deletion marks, the namespace (so `-n` picks
/// the target), owner references (uids of this cluster: the garbage collector deletes an object whose owner uid
/// does not exist), kubectl's last-applied annotation (a stale copy of the object, for a Secret its data in clear),
/// and a Service's allocated cluster IPs (a fresh namespace gets new ones; a headless "None" stays).
/// </summary>
public static class ReappliableObject
{
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    private static readonly string[] ServerOwnedMetadata =
        ["uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "ownerReferences"];

    /// <summary>A cleaned copy of <paramref name="item"/> with its kind and apiVersion first.</summary>
    public static JsonObject From(JsonObject item, string kind, string apiVersion)
    {
        var copy = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
        foreach (var (key, value) in item)
        {
            if (key is not ("kind" or "apiVersion" or "status"))
            {
                copy[key] = value?.DeepClone();
            }
        }

        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var field in ServerOwnedMetadata)
            {
                metadata.Remove(field);
            }

            if (metadata["annotations"] is JsonObject annotations)
            {
                annotations.Remove(LastAppliedAnnotation);
                if (annotations.Count == 0)
                {
                    metadata.Remove("annotations");
                }
            }
        }

        if (kind == "Service" && copy["spec"] is JsonObject spec && BackupValidation.Str(spec["clusterIP"]) != "None")
        {
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
        }

        return copy;
    }
}
