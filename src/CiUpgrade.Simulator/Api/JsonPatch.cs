using System.Globalization;
using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// RFC 6902 JSON Patch over System.Text.Json nodes, with evanphx/json-patch's strictness (what
/// kube-apiserver uses): `add` needs the parent to exist (so `add /spec/tags/-` fails on a stream without
/// spec.tags), `test` compares deep equality. Written here because JsonPatch.Net is not available and
/// Microsoft.AspNetCore.JsonPatch targets typed models; a failed op throws <see cref="JsonPatchException"/>.
/// </summary>
public static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonArray operations)
    {
        var doc = document?.DeepClone();
        foreach (var op in operations)
        {
            if (op is not JsonObject o)
            {
                throw new JsonPatchException("operation is not an object");
            }

            var kind = (string?)o["op"] ?? throw new JsonPatchException("missing op");
            var path = (string?)o["path"] ?? throw new JsonPatchException("missing path");
            switch (kind)
            {
                case "add":
                    doc = Add(doc, path, Value(o));
                    break;
                case "remove":
                    doc = Remove(doc, path, out _);
                    break;
                case "replace":
                    doc = Remove(doc, path, out _);
                    doc = Add(doc, path, Value(o));
                    break;
                case "move":
                    doc = Remove(doc, From(o), out var moved);
                    doc = Add(doc, path, moved);
                    break;
                case "copy":
                    doc = Add(doc, path, Get(doc, From(o))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), Value(o)))
                    {
                        throw new JsonPatchException($"testing value {path} failed");
                    }

                    break;
                default:
                    throw new JsonPatchException($"unknown operation \"{kind}\"");
            }
        }

        return doc;
    }

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw new JsonPatchException("missing value");

    private static string From(JsonObject op) => (string?)op["from"] ?? throw new JsonPatchException("missing from");

    private static List<string> Tokens(string path)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (path[0] != '/')
        {
            throw new JsonPatchException($"invalid path \"{path}\"");
        }

        return path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static JsonNode? Get(JsonNode? doc, string path)
    {
        var node = doc;
        foreach (var token in Tokens(path))
        {
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray arr when Index(token, arr.Count, allowEnd: false) is var i => arr[i],
                _ => throw new JsonPatchException($"doc is missing path: \"{path}\""),
            };
        }

        return node;
    }

    private static JsonNode? Add(JsonNode? doc, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0)
        {
            return value;
        }

        var parent = Get(doc, ParentPath(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray arr:
                arr.Insert(last == "-" ? arr.Count : Index(last, arr.Count, allowEnd: true), value);
                break;
            default:
                throw new JsonPatchException($"add operation does not apply: doc is missing path: \"{path}\"");
        }

        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, string path, out JsonNode? removed)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0)
        {
            throw new JsonPatchException("cannot remove the whole document");
        }

        var parent = Get(doc, ParentPath(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out var child):
                obj.Remove(last);
                removed = child;
                break;
            case JsonArray arr:
                var i = Index(last, arr.Count, allowEnd: false);
                removed = arr[i];
                arr.RemoveAt(i);
                break;
            default:
                throw new JsonPatchException($"doc is missing path: \"{path}\"");
        }

        return doc;
    }

    private static int Index(string token, int count, bool allowEnd)
    {
        if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i > count || (!allowEnd && i == count))
        {
            throw new JsonPatchException($"invalid index \"{token}\"");
        }

        return i;
    }

    private static string ParentPath(List<string> tokens) =>
        tokens.Count == 1 ? string.Empty : "/" + string.Join('/', tokens.SkipLast(1).Select(Escape));

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
