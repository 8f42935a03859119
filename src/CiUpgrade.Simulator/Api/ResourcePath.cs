using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Api;

/// <summary>A request path split the way k8s.io/apiserver's RequestInfoFactory does.</summary>
public sealed record ResourcePath(ResourceType Type, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>"deploymentconfigs" or "deploymentconfigs/instantiate": what RBAC rules name.</summary>
    public string RbacResource => Subresource is null ? Type.Plural : $"{Type.Plural}/{Subresource}";

    /// <summary>Parses /api/v1/... or /apis/{group}/{version}/...; null when the path names no served resource.</summary>
    public static ResourcePath? Parse(string path, ResourceRegistry registry)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = (string.Empty, segments[1], 2);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            return null;
        }

        var parts = segments[rest..];
        string? ns = null;
        if (parts.Length >= 3 && parts[0] == "namespaces")
        {
            ns = parts[1];
            parts = parts[2..];
        }

        var strategy = registry.Find(parts[0]);
        if (strategy is null || strategy.Type.Group != group || strategy.Type.Version != version || parts.Length > 3)
        {
            return null;
        }

        if (ns is not null && !strategy.Type.Namespaced)
        {
            return null;
        }

        return new ResourcePath(strategy.Type, ns, parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2] : null);
    }
}
