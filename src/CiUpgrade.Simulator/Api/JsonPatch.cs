using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// RFC 6902 JSON Patch over System.Text.Json nodes, as evanphx/json-patch (what kube-apiserver uses) applies it: `add`
/// needs the parent to exist (so `add /spec/tags/-` fails on a stream without spec.tags), and `test` compares the
/// stored value's bytes as Go encodes them with the value's bytes as sent (<see cref="GoJson.RawEquals"/>), not the
/// parsed values. Operations are read from the request's own bytes (a <see cref="JsonElement"/>) for that reason.
/// A failed op throws <see cref="JsonPatchException"/> with the message of the json-patch vendored by Kubernetes 1.11
/// (only OpenShift 3.11 passes it to the client, as a 500; later servers answer a generic 422). Written here because
/// JsonPatch.Net is not available and Microsoft.AspNetCore.JsonPatch targets typed models and parsed values.
/// </summary>
public static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonElement operations)
    {
        var doc = document?.DeepClone();
        foreach (var o in operations.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Object)
            {
                throw new JsonPatchException("Unexpected kind: unknown");
            }

            var kind = Text(o, "op") ?? "unknown";
            var path = Text(o, "path") ?? "unknown";
            switch (kind)
            {
                case "add":
                    doc = Add(doc, path, Value(o), kind);
                    break;
                case "remove":
                    doc = Remove(doc, path, out _, kind);
                    break;
                case "replace":
                    if (Parent(doc, path, out var last) is not { } replaced || Child(replaced, last) is null)
                    {
                        throw new JsonPatchException($"jsonpatch replace operation does not apply: doc is missing key: {path}");
                    }

                    doc = Remove(doc, path, out _, kind);
                    doc = Add(doc, path, Value(o), kind);
                    break;
                case "move":
                    doc = Remove(doc, Text(o, "from") ?? "unknown", out var moved, kind);
                    doc = Add(doc, path, moved, kind);
                    break;
                case "copy":
                    var from = Text(o, "from") ?? "unknown";
                    var source = Parent(doc, from, out var key) ?? throw new JsonPatchException($"jsonpatch copy operation does not apply: doc is missing from path: {from}");
                    doc = Add(doc, path, Child(source, key)?.DeepClone(), kind);
                    break;
                case "test":
                    Test(doc, path, o);
                    break;
                default:
                    throw new JsonPatchException($"Unexpected kind: {kind}");
            }
        }

        return doc;
    }

    private static void Test(JsonNode? doc, string path, JsonElement op)
    {
        var parent = Parent(doc, path, out var last) ?? throw new JsonPatchException($"jsonpatch test operation does not apply: is missing path: {path}");
        var stored = Child(parent, last);
        var passed = op.TryGetProperty("value", out var sent)
            ? stored is null ? sent.ValueKind == JsonValueKind.Null : GoJson.RawEquals(stored, sent)
            : stored is null;
        if (!passed)
        {
            throw new JsonPatchException($"Testing value {path} failed");
        }
    }

    private static string? Text(JsonElement op, string name) =>
        op.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static JsonNode? Value(JsonElement op) =>
        op.TryGetProperty("value", out var v) ? JsonNode.Parse(v.GetRawText()) : null;

    private static List<string> Tokens(string path) =>
        path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();

    /// <summary>findObject: the container holding the path's last token, or null when any step is missing.</summary>
    private static JsonNode? Parent(JsonNode? doc, string path, out string last)
    {
        var tokens = Tokens(path);
        last = tokens.Count == 0 ? string.Empty : tokens[^1];
        if (tokens.Count == 0)
        {
            return null;
        }

        var node = doc;
        foreach (var token in tokens.SkipLast(1))
        {
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(token, out var child) ? child : null,
                JsonArray arr when IndexOf(token) is { } i && i < arr.Count => arr[i],
                _ => null,
            };
            if (node is not (JsonObject or JsonArray))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The child at <paramref name="key"/> (null when missing or JSON null, as a Go map holds both).</summary>
    private static JsonNode? Child(JsonNode container, string key) => container switch
    {
        JsonObject obj => obj.TryGetPropertyValue(key, out var child) ? child : null,
        JsonArray arr => IndexOf(key) is { } i && i < arr.Count ? arr[i] : throw new JsonPatchException($"Unable to access invalid index: {key}"),
        _ => null,
    };

    private static JsonNode? Add(JsonNode? doc, string path, JsonNode? value, string kind)
    {
        if (path.Length == 0)
        {
            return value;
        }

        switch (Parent(doc, path, out var last))
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray arr:
                var i = last == "-" ? arr.Count : IndexOf(last) ?? throw new JsonPatchException($"Unable to access invalid index: {last}");
                if (i > arr.Count)
                {
                    throw new JsonPatchException($"Unable to access invalid index: {i}");
                }

                arr.Insert(i, value);
                break;
            default:
                throw new JsonPatchException($"jsonpatch {kind} operation does not apply: doc is missing path: {path}");
        }

        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, string path, out JsonNode? removed, string kind)
    {
        switch (Parent(doc, path, out var last))
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out var child):
                obj.Remove(last);
                removed = child;
                break;
            case JsonObject:
                throw new JsonPatchException($"Unable to remove nonexistent key: {last}");
            case JsonArray arr:
                var i = IndexOf(last) ?? throw new JsonPatchException($"Unable to remove invalid index: {last}");
                if (i >= arr.Count)
                {
                    throw new JsonPatchException($"Unable to remove invalid index: {i}");
                }

                removed = arr[i];
                arr.RemoveAt(i);
                break;
            default:
                throw new JsonPatchException($"jsonpatch {kind} operation does not apply: doc is missing path: {path}");
        }

        return doc;
    }

    private static int? IndexOf(string token) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
}
