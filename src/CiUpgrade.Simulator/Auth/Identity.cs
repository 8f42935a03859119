namespace CiUpgrade.Simulator.Auth;

/// <summary>An authenticated user and what it may do.</summary>
public sealed record Identity(string User, IReadOnlyList<Grant> Grants)
{
    public static Identity Anonymous { get; } = new("system:anonymous", []);

    public bool Allows(string verb, string group, string resource, string? ns, string? name) =>
        Grants.Any(g => (g.Namespace is null || g.Namespace == ns) && g.Rule.Allows(group, resource, verb, name));
}
