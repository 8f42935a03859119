namespace CiUpgrade.Simulator.Registry;

/// <summary>Validation failed: the HTTP layer answers 422 Invalid with these causes.</summary>
public sealed class InvalidObjectException(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    : Exception($"{(type.Group.Length == 0 ? type.Kind : type.Kind + "." + type.Group)} \"{name}\" is invalid: " + Summary(errors))
{
    public ResourceType Type { get; } = type;

    public string Name { get; } = name;

    public IReadOnlyList<FieldError> Errors { get; } = errors;

    /// <summary>errors.NewInvalid (k8s.io/apimachinery/pkg/api/errors): one error as is, several as "[a, b]".</summary>
    private static string Summary(IReadOnlyList<FieldError> errors)
    {
        var parts = errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        return parts.Count == 1 ? parts[0] : "[" + string.Join(", ", parts) + "]";
    }
}
