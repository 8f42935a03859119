using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>
/// Rules shared by plain Kubernetes types: generation 1 on create and +1 on spec change, status
/// kept on main-resource updates when the type has a status subresource (as kube's rest strategies do);
/// <paramref name="defaults"/> is the type's API defaulting, applied to every write as decoding does.
/// </summary>
public sealed class GenericStrategy(ResourceType type, bool hasStatus, Action<JsonObject>? defaults = null) : IResourceStrategy
{
    public ResourceType Type { get; } = type;

    public void PrepareForCreate(JsonObject obj)
    {
        defaults?.Invoke(obj);
        if (obj["spec"] is not null)
        {
            obj.Meta()["generation"] = 1;
        }
    }

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        defaults?.Invoke(updated);
        if (hasStatus)
        {
            updated["status"] = old["status"]?.DeepClone();
        }

        updated.Meta()["generation"] = old.Meta()["generation"]?.DeepClone();
        if (old["spec"] is not null && !JsonNode.DeepEquals(updated["spec"], old["spec"]))
        {
            updated.Meta()["generation"] = old.Meta().Long("generation") + 1;
        }
    }

    public void PrepareForStatusUpdate(JsonObject updated, JsonObject old)
    {
        updated["spec"] = old["spec"]?.DeepClone();
        updated.Meta()["generation"] = old.Meta()["generation"]?.DeepClone();
    }

    public IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject? old) => NameValidation.Check(obj.Name()).ToList();

    public void Decorate(JsonObject obj)
    {
    }
}
