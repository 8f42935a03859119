using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Auth;

/// <summary>
/// What a service account may do from the RBAC objects stored in the cluster, as kube-apiserver's RBAC authorizer
/// decides it (plugin/pkg/auth/authorizer/rbac): every RoleBinding whose subjects name the account grants, in the
/// binding's namespace, the rules of the Role it references. (ClusterRoles and ClusterRoleBindings are not served.)
/// </summary>
public static class StoredRbac
{
    public static IReadOnlyList<Grant> Grants(ResourceRegistry registry, string ns, string account)
    {
        var grants = new List<Grant>();
        foreach (var binding in registry.List("rolebindings", null).Items)
        {
            var bindingNs = binding.Namespace();
            var names = binding["subjects"].Objects().Any(s => s.Str("kind") == "ServiceAccount" && s.Str("name") == account && (s.Str("namespace") ?? bindingNs) == ns);
            if (!names || binding["roleRef"].Str("kind") != "Role" || registry.Get("roles", bindingNs, binding["roleRef"].Str("name") ?? string.Empty) is not { } role)
            {
                continue;
            }

            grants.AddRange(role["rules"].Objects().Select(r => new Grant(bindingNs, new PolicyRule(
                Strings(r["apiGroups"]), Strings(r["resources"]), Strings(r["verbs"]), r["resourceNames"] is null ? null : Strings(r["resourceNames"])))));
        }

        return grants;
    }

    private static List<string> Strings(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonArray a ? a.Select(n => n?.ToString() ?? string.Empty).ToList() : [];
}
