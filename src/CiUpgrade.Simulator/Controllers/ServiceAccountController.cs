using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// The service account controllers: kube-controller-manager's creates "default" in every namespace, and
/// openshift-controller-manager's (openshift.io/serviceaccount) adds "builder" and "deployer", the accounts
/// build pods and deployer pods (<c>&lt;rc&gt;-deploy</c>) run as. A seeded namespace gets them when it settles;
/// any namespace gets them on the first pass over it.
/// </summary>
internal sealed class ServiceAccountController(ResourceRegistry registry) : IController
{
    private static readonly string[] Names = ["builder", "default", "deployer"];

    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        if (string.IsNullOrEmpty(ns) || registry.Store.Get("namespaces", string.Empty, ns) is null)
        {
            return default;
        }

        var changed = false;
        foreach (var name in Names.Where(n => registry.Store.Get("serviceaccounts", ns, n) is null))
        {
            registry.Create("serviceaccounts", ns, new JsonObject
            {
                ["kind"] = "ServiceAccount",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            });
            changed = true;
        }

        return new PassResult(changed, false);
    }
}
