using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Api;

/// <summary>The legacy discovery documents (/api, /apis, /api/v1, /apis/g/v) kubectl reads before any request.</summary>
public static class Discovery
{
    /// <summary>Resources served outside the registry.</summary>
    private static readonly ResourceType SelfSubjectAccessReviews = new("authorization.k8s.io", "v1", "SelfSubjectAccessReview",
        "selfsubjectaccessreviews", "selfsubjectaccessreview", false, [], ["create"], []);

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups(ResourceRegistry registry)
    {
        var groups = Types(registry).Where(t => t.Group.Length > 0).Select(t => (t.Group, t.Version)).Distinct()
            .Select(g => (JsonNode)new JsonObject
            {
                ["name"] = g.Group,
                ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = $"{g.Group}/{g.Version}", ["version"] = g.Version }),
                ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{g.Group}/{g.Version}", ["version"] = g.Version },
            });
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = new JsonArray(groups.ToArray()) };
    }

    /// <summary>The APIResourceList of one group version, or null when none is served.</summary>
    public static JsonObject? Resources(ResourceRegistry registry, string group, string version)
    {
        var types = Types(registry).Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            var entry = new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray(t.Verbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (t.ShortNames.Count > 0)
            {
                entry["shortNames"] = new JsonArray(t.ShortNames.Select(s => (JsonNode)s).ToArray());
            }

            resources.Add(entry);
            foreach (var sub in t.Subresources)
            {
                var kind = sub.EndsWith("/scale", StringComparison.Ordinal) ? "Scale"
                    : sub.EndsWith("/exec", StringComparison.Ordinal) ? "PodExecOptions"
                    : sub.EndsWith("/instantiate", StringComparison.Ordinal) ? "DeploymentRequest" : t.Kind;
                resources.Add(new JsonObject
                {
                    ["name"] = sub,
                    ["singularName"] = string.Empty,
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = kind,
                    ["verbs"] = sub.EndsWith("/instantiate", StringComparison.Ordinal) || sub.EndsWith("/instantiatebinary", StringComparison.Ordinal)
                        ? new JsonArray("create")
                        : sub.EndsWith("/exec", StringComparison.Ordinal) ? new JsonArray("create", "get") : new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static IEnumerable<ResourceType> Types(ResourceRegistry registry) =>
        registry.Strategies.Select(s => s.Type).Append(SelfSubjectAccessReviews);
}
