namespace CiUpgrade.Rules;

/// <summary>One spec tag as the pre-upgrade decision sees it, whether read from the cluster or from a backup file.</summary>
public sealed record SavedTag(string Name, string? FromKind, string? FromName);
