using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Json;

/// <summary>Small accessors that keep the controllers' JSON edits readable.</summary>
public static class JsonNodeExtensions
{
    /// <summary>The child object at <paramref name="key"/>, created when absent or not an object.</summary>
    public static JsonObject Obj(this JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>The child array at <paramref name="key"/>, created when absent or not an array.</summary>
    public static JsonArray Arr(this JsonObject parent, string key)
    {
        if (parent[key] is JsonArray existing)
        {
            return existing;
        }

        var created = new JsonArray();
        parent[key] = created;
        return created;
    }

    public static string? Str(this JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long Long(this JsonNode? node, string key)
    {
        if (node is not JsonObject o || o[key] is not JsonValue v)
        {
            return 0;
        }

        if (v.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (v.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (v.TryGetValue<double>(out var d))
        {
            return (long)d;
        }

        return v.TryGetValue<string>(out var s) && long.TryParse(s, out var p) ? p : 0;
    }

    public static bool Bool(this JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public static IEnumerable<JsonObject> Objects(this JsonNode? node) =>
        node is JsonArray a ? a.OfType<JsonObject>() : [];

    public static JsonObject Meta(this JsonObject obj) => obj.Obj("metadata");

    public static string Name(this JsonObject obj) => obj.Meta().Str("name") ?? string.Empty;

    public static string Namespace(this JsonObject obj) => obj.Meta().Str("namespace") ?? string.Empty;

    public static string? Annotation(this JsonObject obj, string key) => obj.Meta()["annotations"].Str(key);

    public static void SetAnnotation(this JsonObject obj, string key, string value) => obj.Meta().Obj("annotations")[key] = value;

    public static string? Label(this JsonObject obj, string key) => obj.Meta()["labels"].Str(key);

    public static bool DeepEquals(this JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    public static T Clone<T>(this T node)
        where T : JsonNode => (T)node.DeepClone();
}
