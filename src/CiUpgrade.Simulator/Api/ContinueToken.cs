using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// The continue token of a chunked LIST, as k8s.io/apiserver/pkg/storage/continue.go writes it: unpadded base64url of
/// <c>{"v":"meta.k8s.io/v1","rv":&lt;revision of the first chunk&gt;,"start":"&lt;key after the last one returned&gt;"}</c>,
/// the key relative to the LIST's key prefix (etcd3 store.go encodeContinue/decodeContinue): the name alone in a
/// namespace's LIST (`c1\u0000`, as kube-apiserver 1.26 writes it), namespace/name across namespaces. Clients treat it as opaque.
/// </summary>
public static class ContinueToken
{
    private const string Version = "meta.k8s.io/v1";

    /// <summary>The token for the rest from <paramref name="startKey"/> (a store key, namespace/name) of a LIST in <paramref name="ns"/> (null: all namespaces).</summary>
    public static string Encode(long resourceVersion, string startKey, string? ns)
    {
        var prefix = ns is null ? string.Empty : ns + "/";
        var relative = startKey.StartsWith(prefix, StringComparison.Ordinal) ? startKey[prefix.Length..] : startKey;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = Version, ["rv"] = resourceVersion, ["start"] = relative }.ToJsonString()));
    }

    /// <summary>The revision and start key, or a 400 with the API server's words (etcd3 store GetList: "invalid continue token: …").</summary>
    public static (long ResourceVersion, string StartKey) Decode(string token, string? ns)
    {
        JsonObject? c;
        try
        {
            c = JsonNode.Parse(Base64Url.DecodeFromChars(token)) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Invalid($"continue key is not valid: {e.Message}");
        }

        if ((string?)c?["v"] != Version)
        {
            throw Invalid("continue key is not valid: server does not recognize this encoded version");
        }

        var rv = c!["rv"] is JsonValue v && v.TryGetValue(out long parsed) ? parsed : 0;
        if (rv == 0)
        {
            throw Invalid($"continue key is not valid: incorrect encoded start resourceVersion (version {Version})");
        }

        var start = (string?)c["start"];
        if (string.IsNullOrEmpty(start))
        {
            throw Invalid($"continue key is not valid: encoded start key empty (version {Version})");
        }

        return (rv, ns is null ? start : ns + "/" + start);
    }

    private static ApiError Invalid(string why) => new(400, "BadRequest", $"invalid continue token: {why}");
}
