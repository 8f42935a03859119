using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Json;

/// <summary>
/// A JSON value spelled as the API server stores and compares it: Go's encoding/json (Marshal, HTML escaping on,
/// encode.go encodeState.string), which is what a JSON-patch `test` op is compared against byte for byte
/// (evanphx/json-patch lazyNode.equal). `"` and `\` with a backslash; `\n` `\r` `\t` short; other control characters,
/// `&lt;` `&gt;` `&amp;` and U+2028/U+2029 as lowercase `\u00xx`; everything else raw UTF-8 (an unpaired surrogate as
/// U+FFFD). No .NET encoder spells strings this way (even the relaxed one escapes characters outside the BMP).
/// </summary>
public static class GoJson
{
    /// <summary>A scalar (string, number, true, false, null) as Go's encoder writes it.</summary>
    public static string Scalar(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            return node.ToJsonString();
        }

        var value = node.GetValue<string>();
        var text = new StringBuilder(value.Length + 2).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                case >= '\uD800' and <= '\uDBFF' when i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]):
                    text.Append(c).Append(value[++i]);
                    break;
                case >= '\uD800' and <= '\uDFFF':
                    text.Append('\uFFFD');
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// evanphx/json-patch's lazyNode.equal between a stored value and a patch's value as sent: objects by key set and
    /// value, arrays element by element, and every scalar by its bytes (the stored one as Go encodes it, the sent one
    /// exactly as spelled, whitespace aside: json.Compact keeps escapes). So "\u0022" in a patch never equals a stored
    /// quote, which Go spells \".
    /// </summary>
    public static bool RawEquals(JsonNode? stored, JsonElement sent) => stored switch
    {
        JsonObject obj => sent.ValueKind == JsonValueKind.Object
            && sent.EnumerateObject().Count() == obj.Count
            && sent.EnumerateObject().All(p => obj.TryGetPropertyValue(p.Name, out var v) && RawEquals(v, p.Value)),
        JsonArray arr => sent.ValueKind == JsonValueKind.Array
            && sent.GetArrayLength() == arr.Count
            && sent.EnumerateArray().Select((e, i) => RawEquals(arr[i], e)).All(b => b),
        _ => sent.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)
            && string.Equals(Scalar(stored), sent.GetRawText(), StringComparison.Ordinal),
    };
}
