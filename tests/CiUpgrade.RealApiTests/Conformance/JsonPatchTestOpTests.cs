using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster;
using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Conformance;

/// <summary>
/// A JSON-patch `test` of a string, in each spelling a client may send, against each server: the real one compares the
/// bytes as sent with the stored value as Go encodes it (evanphx/json-patch lazyNode.equal), so only Go's spelling
/// passes for a string holding `"`, `'`, `+`, `<`, `>`, a backquote or non-ASCII text. The simulator must give the same
/// verdict, and the same Status when refused: 422 Invalid with empty details on 4.x as on 1.26; on 3.11 the 500 the
/// Kubernetes 1.11 patch handler answers (the json-patch error passed through, "Testing value … failed").
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class JsonPatchTestOpTests(ConformanceServers servers)
{
    private const string TestedPath = "/spec/tags/0/annotations/x";

    public static TheoryData<string> Strings => new()
    {
        "say \"hi\"",
        "it's",
        "fish & chips",
        "1+1",
        "<b>bold</b>",
        "a > b",
        "run `date`",
        "café, Grüße, 日本",
        "emoji 😀 and \\ backslash",
        "bash -c 'bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"${MASTER_ACCESS_TOKEN}\"'",
    };

    /// <summary>The spellings of one string: Go's, System.Text.Json's default (\u0022, uppercase hex), every character as \uxxxx, the relaxed encoder's.</summary>
    private static IEnumerable<(string Name, string Json)> Spellings(string value)
    {
        yield return ("Go", GoJsonEncoding.Serialize(JsonValue.Create(value)));
        yield return ("System.Text.Json default", JsonSerializer.Serialize(value));
        yield return ("all \\uxxxx", "\"" + string.Concat(value.Select(c => $"\\u{(int)c:x4}")) + "\"");
        yield return ("relaxed", JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        yield return ("another value", JsonSerializer.Serialize(value + "!"));
    }

    [Theory]
    [MemberData(nameof(Strings))]
    public async Task The_simulator_passes_and_refuses_a_test_of_this_string_as_the_real_server_does(string value)
    {
        var ns = await servers.NamespaceAsync("wire-test");
        var answers = new Dictionary<ServerUnderTest, List<(string Spelling, ApiAnswer Answer)>>();
        foreach (var server in servers.All)
        {
            var path = $"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams";
            var created = await server.Admin.PostAsync(path, Stream("s", value));
            Assert.True(created.Code == HttpStatusCode.Created, $"{server}: {created}");
            answers[server] = [];
            foreach (var (name, json) in Spellings(value))
            {
                var patch = $$$"""[{"op":"test","path":"{{{TestedPath}}}","value":{{{json}}}},{"op":"add","path":"/metadata/labels","value":{"tested":"yes"}}]""";
                answers[server].Add((name, await server.Admin.JsonPatchAsync($"{path}/s", patch)));
            }
        }

        var real = answers[servers.Real];
        Assert.True(real[0].Answer.Code == HttpStatusCode.OK, $"the real server refused Go's spelling: {real[0].Answer}");
        Assert.True(real[^1].Answer.Code == HttpStatusCode.UnprocessableEntity, $"the real server passed another value: {real[^1].Answer}");
        foreach (var server in servers.Simulators)
        {
            for (var i = 0; i < real.Count; i++)
            {
                var (spelling, expected) = real[i];
                var actual = answers[server][i].Answer;
                var what = $"{server}, {spelling} spelling of {JsonSerializer.Serialize(value)}";
                if (expected.Code == HttpStatusCode.OK)
                {
                    Assert.True(actual.Code == HttpStatusCode.OK, $"{what}: the real server passed the test, the simulator answered {actual}");
                }
                else if (server.Is311)
                {
                    Assert.True(actual.Code == HttpStatusCode.InternalServerError, $"{what}: the real server refused the test ({expected.Code}), OpenShift 3.11 answers 500; the simulator {actual}");
                    Assert.Equal(Wire.Canonical(Failed311()), Wire.Canonical(actual.Body));
                }
                else
                {
                    Assert.True(actual.Code == expected.Code, $"{what}: the real server answered {expected}, the simulator {actual}");
                    Assert.Equal(Wire.Canonical(expected.Body), Wire.Canonical(actual.Body));
                }
            }
        }
    }

    /// <summary>
    /// What Kubernetes 1.11 answers to a failed `test`: evanphx/json-patch's error as vendored then ("Testing value %s
    /// failed"), passed through by handlers/patch.go (jsonPatcher.applyPatchToCurrentObject → interpretPatchError,
    /// default case) and written by responsewriters.ErrorToAPIStatus as a 500 Status with no reason.
    /// </summary>
    private static JsonObject Failed311() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = $"Testing value {TestedPath} failed",
        ["code"] = 500,
    };

    private static JsonObject Stream(string name, string annotation) => new()
    {
        ["apiVersion"] = "image.openshift.io/v1",
        ["kind"] = "ImageStream",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["tags"] = new JsonArray(new JsonObject
            {
                ["name"] = "a",
                ["annotations"] = new JsonObject { ["x"] = annotation },
                ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = "registry.example.com/a:1" },
            }),
        },
    };
}
