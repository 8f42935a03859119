namespace CiUpgrade.Simulator.Auth;

/// <summary>A rule granted in one namespace (a Role) or everywhere (<see cref="Namespace"/> null, a ClusterRole).</summary>
public sealed record Grant(string? Namespace, PolicyRule Rule);
