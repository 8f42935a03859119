using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CiUpgrade.RealApiTests.Conformance;

/// <summary>How two servers' answers are compared: field by field (key order aside), with what must differ removed.</summary>
public static partial class Wire
{
    /// <summary>The metadata every server fills with its own values (identity, clock, storage revision, writers).</summary>
    private static readonly string[] ServerValues = ["uid", "creationTimestamp", "resourceVersion", "managedFields", "selfLink", "generation"];

    /// <summary>The JSON with every object's keys sorted, so that two answers compare field by field as text (a readable diff).</summary>
    public static string Canonical(JsonNode? node) => Sorted(node)?.ToJsonString() ?? "null";

    /// <summary>An object without the metadata values each server fills in itself.</summary>
    public static JsonObject WithoutServerValues(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        if (copy["metadata"] is JsonObject meta)
        {
            foreach (var field in ServerValues)
            {
                meta.Remove(field);
            }
        }

        return copy;
    }

    /// <summary>A message with its resourceVersions (numbers) replaced: each server counts its own.</summary>
    public static string WithoutNumbers(string? message) => Numbers().Replace(message ?? string.Empty, "N");

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray arr => new JsonArray(arr.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Numbers();
}
