using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Conformance;

/// <summary>
/// JSON-patch add/replace/remove at spec.tags indexes and merge patches applied alike: the same tags (names and the
/// fields a client wrote) and labels after each patch, the same refusal for an index past the end. Tag names are
/// chosen in sorted order: OpenShift keeps spec.tags as a map and reads it back sorted by name, the CRD stand-in keeps
/// the list as sent (docs/real-api-server.md, "What differs").
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class PatchApplyTests(ConformanceServers servers)
{
    [Fact]
    public async Task Json_patches_at_spec_tags_indexes_leave_the_same_tags()
    {
        var ns = await servers.NamespaceAsync("wire-tags");
        string[] patches =
        [
            """[{"op":"add","path":"/spec/tags/1","value":{"name":"b","annotations":{"k":"added at 1"},"from":{"kind":"DockerImage","name":"r.example.com/b:1"}}}]""",
            """[{"op":"test","path":"/spec/tags/2/name","value":"c"},{"op":"replace","path":"/spec/tags/2/annotations","value":{"k":"replaced <&>"}}]""",
            """[{"op":"add","path":"/spec/tags/-","value":{"name":"d","from":{"kind":"DockerImage","name":"r.example.com/d:1"}}}]""",
            """[{"op":"remove","path":"/spec/tags/0"}]""",
            """[{"op":"replace","path":"/spec/tags/0","value":{"name":"b","annotations":{"k":"replaced whole"},"from":{"kind":"DockerImage","name":"r.example.com/b:2"}}}]""",
        ];
        var real = await ApplyAsync(servers.Real, ns, patches);
        foreach (var server in servers.Simulators)
        {
            var simulated = await ApplyAsync(server, ns, patches);
            for (var i = 0; i < patches.Length; i++)
            {
                Assert.True(real[i].Code == simulated[i].Code, $"{server}, patch {i}: the real server answered {real[i].Code}, the simulator {simulated[i].Code}: {patches[i]}");
                Assert.Equal(real[i].Tags, simulated[i].Tags);
            }
        }
    }

    [Theory]
    [InlineData("""[{"op":"remove","path":"/spec/tags/5"}]""")]
    [InlineData("""[{"op":"replace","path":"/spec/tags/5","value":{"name":"z"}}]""")]
    [InlineData("""[{"op":"add","path":"/spec/tags/7","value":{"name":"z"}}]""")]
    [InlineData("""[{"op":"add","path":"/spec/nothing/-","value":{"name":"z"}}]""")]
    [InlineData("""[{"op":"test","path":"/spec/tags/0/name","value":"b"}]""")]
    public async Task A_json_patch_that_does_not_apply_is_refused_alike(string patch)
    {
        var ns = await servers.NamespaceAsync("wire-refused");
        var real = await ApplyAsync(servers.Real, ns, [patch]);
        Assert.True(real[0].Code == HttpStatusCode.UnprocessableEntity, $"the real server answered {real[0].Answer}");
        foreach (var server in servers.Simulators)
        {
            var simulated = (await ApplyAsync(server, ns, [patch]))[0];
            if (server.Is311)
            {
                // Kubernetes 1.11 passes every json-patch error through as a 500 without a reason (see JsonPatchTestOpTests).
                Assert.True(simulated.Code == HttpStatusCode.InternalServerError, $"{server}: {simulated.Answer}");
                Assert.Null(simulated.Answer.Object["reason"]);
            }
            else
            {
                Assert.True(simulated.Code == real[0].Code, $"{server}: the real server answered {real[0].Answer}, the simulator {simulated.Answer}");
                Assert.Equal(Wire.Canonical(real[0].Answer.Body), Wire.Canonical(simulated.Answer.Body));
            }

            Assert.Equal(real[0].Tags, simulated.Tags);
        }
    }

    [Fact]
    public async Task Merge_patches_merge_objects_delete_nulls_and_replace_lists_alike()
    {
        var ns = await servers.NamespaceAsync("wire-merge");
        string[] patches =
        [
            """{"metadata":{"labels":{"app":"3scale","gone":null},"annotations":{"note":"say \"hi\" <b>"}}}""",
            """{"spec":{"tags":[{"name":"x","from":{"kind":"DockerImage","name":"r.example.com/x:1"}}]}}""",
            """{"metadata":{"labels":{"app":null,"tier":"back"}}}""",
        ];
        var real = await ApplyAsync(servers.Real, ns, patches, merge: true);
        foreach (var server in servers.Simulators)
        {
            var simulated = await ApplyAsync(server, ns, patches, merge: true);
            for (var i = 0; i < patches.Length; i++)
            {
                Assert.True(real[i].Code == simulated[i].Code, $"{server}, patch {i}: the real server answered {real[i].Code}, the simulator {simulated[i].Code}");
                Assert.Equal(real[i].Tags, simulated[i].Tags);
                Assert.Equal(real[i].Metadata, simulated[i].Metadata);
            }
        }
    }

    private sealed record Applied(HttpStatusCode Code, ApiAnswer Answer, string Tags, string Metadata);

    /// <summary>Creates stream `s` with tags a and c (and label gone=yes), applies each patch, and reads back what a client wrote.</summary>
    private static async Task<List<Applied>> ApplyAsync(ServerUnderTest server, string ns, string[] patches, bool merge = false)
    {
        var path = $"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams";
        var created = await server.Admin.PostAsync(path, JsonNode.Parse("""
            {"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s","labels":{"gone":"yes"}},
             "spec":{"tags":[{"name":"a","from":{"kind":"DockerImage","name":"r.example.com/a:1"}},{"name":"c","annotations":{"k":"v"},"from":{"kind":"DockerImage","name":"r.example.com/c:1"}}]}}
            """)!);
        Assert.True(created.Code == HttpStatusCode.Created, $"{server}: {created}");
        var results = new List<Applied>();
        foreach (var patch in patches)
        {
            var answer = merge ? await server.Admin.MergePatchAsync($"{path}/s", patch) : await server.Admin.JsonPatchAsync($"{path}/s", patch);
            var stored = await server.Admin.ObjectAsync($"{path}/s");
            results.Add(new Applied(answer.Code, answer, WrittenTags(stored), Wire.Canonical(Written(stored["metadata"]!.AsObject()))));
        }

        return results;
    }

    /// <summary>Each tag's name, annotations and from: OpenShift adds defaults (referencePolicy, generation, importPolicy) the stand-in does not.</summary>
    private static string WrittenTags(JsonObject stream) =>
        Wire.Canonical(new JsonArray(((stream["spec"]?["tags"] as JsonArray) ?? []).Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t?["name"]?.DeepClone(),
            ["annotations"] = t?["annotations"]?.DeepClone(),
            ["from"] = t?["from"]?.DeepClone(),
        }).ToArray()));

    private static JsonObject Written(JsonObject metadata) => new()
    {
        ["labels"] = metadata["labels"]?.DeepClone(),
        ["annotations"] = metadata["annotations"]?.DeepClone(),
    };
}
