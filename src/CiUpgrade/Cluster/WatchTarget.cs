namespace CiUpgrade.Cluster;

/// <summary>What a <see cref="ResourceWatch{T}"/> follows: one kind in one namespace, narrowed by selectors (the relist uses the same).</summary>
public sealed record WatchTarget(string Group, string Version, string Plural, string? FieldSelector = null, string? LabelSelector = null)
{
    /// <summary>The collection's path under the server's base URI.</summary>
    public string CollectionPath(string ns) => (Group.Length == 0 ? $"api/{Version}" : $"apis/{Group}/{Version}") + $"/namespaces/{ns}/{Plural}";

    /// <summary>The selectors as query parameters, each with a leading '&amp;'.</summary>
    public string SelectorQuery =>
        (FieldSelector is null ? string.Empty : $"&fieldSelector={Uri.EscapeDataString(FieldSelector)}")
        + (LabelSelector is null ? string.Empty : $"&labelSelector={Uri.EscapeDataString(LabelSelector)}");
}
