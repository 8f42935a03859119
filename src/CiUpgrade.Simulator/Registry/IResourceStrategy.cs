using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Registry;

/// <summary>
/// The type-specific rules of a resource, as a registry strategy in openshift-apiserver /
/// kube-apiserver has them (PrepareForCreate, PrepareForUpdate, Validate, Decorate).
/// Every method edits the object in place; none touches the store.
/// </summary>
public interface IResourceStrategy
{
    ResourceType Type { get; }

    /// <summary>Defaulting and normalisation of a new object (generation 1, tag map, ...).</summary>
    void PrepareForCreate(JsonObject obj);

    /// <summary>An update through the main resource: usually keeps the old status and bumps generation on spec change.</summary>
    void PrepareForUpdate(JsonObject updated, JsonObject old);

    /// <summary>An update through the /status subresource: usually keeps the old spec, labels and annotations.</summary>
    void PrepareForStatusUpdate(JsonObject updated, JsonObject old);

    /// <summary>Validation after preparation; any error makes the request 422 Invalid.</summary>
    IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject? old);

    /// <summary>Applied to every object handed out (GET, LIST, WATCH, write responses), never stored.</summary>
    void Decorate(JsonObject obj);
}
