namespace CiUpgrade.Simulator.Auth;

/// <summary>One RBAC rule (rbac.authorization.k8s.io/v1 PolicyRule); "*" matches anything.</summary>
public sealed record PolicyRule(IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> Verbs, IReadOnlyList<string>? ResourceNames = null)
{
    public static PolicyRule Everything { get; } = new(["*"], ["*"], ["*"]);

    /// <summary>RBAC's RuleAllows: group, resource (with subresource, e.g. "deploymentconfigs/instantiate"), verb and name all match.</summary>
    public bool Allows(string group, string resource, string verb, string? name) =>
        Matches(ApiGroups, group)
        && Matches(Resources, resource)
        && Matches(Verbs, verb)
        && (ResourceNames is null || ResourceNames.Count == 0 || (name is not null && ResourceNames.Contains(name)));

    private static bool Matches(IReadOnlyList<string> allowed, string value) => allowed.Contains("*") || allowed.Contains(value);
}
