using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Conformance;

/// <summary>
/// The Status bodies of refused requests (404, 403, 409) and SelfSubjectAccessReview answers, compared field by field
/// between the real server and the simulator in both versions: Kubernetes 1.11 writes the same Status for each.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class StatusBodyTests(ConformanceServers servers)
{
    [Fact]
    public async Task Not_found_bodies_match_for_a_custom_and_a_core_resource()
    {
        var ns = await servers.NamespaceAsync("wire-404");
        await SameAnswersAsync(server => server.Admin.GetAsync($"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams/missing"), HttpStatusCode.NotFound);
        await SameAnswersAsync(server => server.Admin.GetAsync($"api/v1/namespaces/{ns}/configmaps/missing"), HttpStatusCode.NotFound);
        await SameAnswersAsync(server => server.Admin.GetAsync("apis/apps.openshift.io/v1/namespaces/no-such-namespace/deploymentconfigs/missing"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Forbidden_bodies_match_for_a_named_write_and_a_list()
    {
        var ns = await servers.NamespaceAsync("wire-403");
        await CreateStreamsAsync(ns, "s");
        await SameAnswersAsync(server => server.Viewer.MergePatchAsync($"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams/s", """{"metadata":{"labels":{"a":"b"}}}"""), HttpStatusCode.Forbidden);
        await SameAnswersAsync(server => server.Viewer.GetAsync($"api/v1/namespaces/{ns}/configmaps"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Conflict_bodies_match_for_a_stale_update_a_stale_patch_and_an_existing_name()
    {
        var ns = await servers.NamespaceAsync("wire-409");
        await CreateStreamsAsync(ns, "s");
        var path = $"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams";
        await SameAnswersAsync(server => server.Admin.PutAsync($"{path}/s", JsonNode.Parse("""{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s","resourceVersion":"1"}}""")!), HttpStatusCode.Conflict);
        await SameAnswersAsync(server => server.Admin.MergePatchAsync($"{path}/s", """{"metadata":{"resourceVersion":"1"}}"""), HttpStatusCode.Conflict);
        await SameAnswersAsync(server => server.Admin.JsonPatchAsync($"{path}/s", """[{"op":"replace","path":"/metadata/resourceVersion","value":"1"}]"""), HttpStatusCode.Conflict);
        await SameAnswersAsync(server => server.Admin.PostAsync(path, JsonNode.Parse("""{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s"}}""")!), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Self_subject_access_reviews_answer_alike()
    {
        var ns = await servers.NamespaceAsync("wire-ssar");
        foreach (var (verb, resource, group) in new[] { ("get", "imagestreams", "image.openshift.io"), ("patch", "imagestreams", "image.openshift.io"), ("list", "configmaps", "") })
        {
            var review = new JsonObject
            {
                ["apiVersion"] = "authorization.k8s.io/v1",
                ["kind"] = "SelfSubjectAccessReview",
                ["spec"] = new JsonObject
                {
                    ["resourceAttributes"] = new JsonObject { ["namespace"] = ns, ["verb"] = verb, ["group"] = group, ["resource"] = resource },
                },
            };
            var real = await servers.Real.Viewer.PostAsync("apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
            Assert.True(real.Code == HttpStatusCode.Created, $"real: {real}");
            foreach (var server in servers.Simulators)
            {
                var answer = await server.Viewer.PostAsync("apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
                Assert.True(answer.Code == real.Code, $"{server}, {verb} {resource}: the real server answered {real}, the simulator {answer}");
                // The reason names the RBAC binding that allowed it: each server has its own bindings.
                Assert.Equal(Wire.Canonical(Comparable(real.Object)), Wire.Canonical(Comparable(answer.Object)));
                Assert.Equal(real.Object["status"]?["reason"] is null, answer.Object["status"]?["reason"] is null);
            }
        }

        static JsonObject Comparable(JsonObject review)
        {
            var copy = Wire.WithoutServerValues(review);
            (copy["status"] as JsonObject)?.Remove("reason");
            return copy;
        }
    }

    private async Task CreateStreamsAsync(string ns, params string[] names)
    {
        foreach (var server in servers.All)
        {
            foreach (var name in names)
            {
                var created = await server.Admin.PostAsync($"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams",
                    JsonNode.Parse($$$"""{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"{{{name}}}"}}""")!);
                Assert.True(created.Code == HttpStatusCode.Created, $"{server}: {created}");
            }
        }
    }

    /// <summary>The same request to every server: the same code and the same Status, field by field.</summary>
    private async Task SameAnswersAsync(Func<ServerUnderTest, Task<ApiAnswer>> send, HttpStatusCode expected)
    {
        var real = await send(servers.Real);
        Assert.True(real.Code == expected, $"the real server answered {real}");
        foreach (var server in servers.Simulators)
        {
            var answer = await send(server);
            Assert.True(answer.Code == real.Code, $"{server}: the real server answered {real}, the simulator {answer}");
            Assert.Equal(Wire.Canonical(real.Body), Wire.Canonical(answer.Body));
        }
    }
}
