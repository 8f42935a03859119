namespace CiUpgrade.Simulator.Registry;

/// <summary>Validation failed: the HTTP layer answers 422 Invalid with these causes.</summary>
public sealed class InvalidObjectException(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    : Exception($"{type.Kind}.{type.Group} \"{name}\" is invalid: " + string.Join(", ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public ResourceType Type { get; } = type;

    public string Name { get; } = name;

    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
