namespace CiUpgrade.Simulator.Registry;

/// <summary>A served resource as discovery describes it (group "" is the core group).</summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Kind,
    string Plural,
    string Singular,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> Subresources)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"imagestreams.image.openshift.io" or "pods": the form error messages use.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
