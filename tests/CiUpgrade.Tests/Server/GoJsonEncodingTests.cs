using System.Text.Json.Nodes;
using CiUpgrade.Cluster;

namespace CiUpgrade.Tests.Server;

/// <summary>
/// Patch values are spelled as Go's encoding/json spells what the API server stores, since its JSON-patch `test`
/// compares bytes (the real server's answers to each spelling: CiUpgrade.RealApiTests' wire conformance tests).
/// </summary>
public sealed class GoJsonEncodingTests
{
    public static TheoryData<string, string> Spellings => new()
    {
        { "a\"b", "\"a\\\"b\"" },
        { "a'b", "\"a'b\"" },
        { "a&b", "\"a\\u0026b\"" },
        { "a+b", "\"a+b\"" },
        { "<a>", "\"\\u003ca\\u003e\"" },
        { "a`b", "\"a`b\"" },
        { "é ü 😀", "\"é ü 😀\"" },
        { "a\\b", "\"a\\\\b\"" },
        { "line\nnext\r\ttab", "\"line\\nnext\\r\\ttab\"" },
        { "\b\f\u0001\u001f", "\"\\u0008\\u000c\\u0001\\u001f\"" },
        { "\u007f", "\"\u007f\"" },
        { "\u2028\u2029", "\"\\u2028\\u2029\"" },
        { "lone \ud800 surrogate", "\"lone \ufffd surrogate\"" },
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void A_string_is_spelled_as_go_encoding_json_spells_it(string value, string expected) =>
        Assert.Equal(expected, GoJsonEncoding.Serialize(JsonValue.Create(value)));

    [Fact]
    public void A_patch_is_written_compact_in_order_with_numbers_and_literals_as_they_are()
    {
        JsonArray ops =
        [
            new JsonObject { ["op"] = "test", ["path"] = "/a", ["value"] = new JsonArray("x\"y", 1, true, null) },
            new JsonObject { ["op"] = "replace", ["path"] = "/b", ["value"] = new JsonObject { ["n"] = 20, ["s"] = "<" } },
        ];

        Assert.Equal("""[{"op":"test","path":"/a","value":["x\"y",1,true,null]},{"op":"replace","path":"/b","value":{"n":20,"s":"\u003c"}}]""",
            GoJsonEncoding.Serialize(ops));
    }
}
