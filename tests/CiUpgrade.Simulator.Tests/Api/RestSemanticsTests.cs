using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

public sealed class RestSemanticsTests : ClusterTest
{
    private const string Streams = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams";
    private const string Dcs = "/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs";

    [Fact]
    public async Task Merge_patch_on_spec_tags_replaces_the_whole_list()
    {
        using var api = Api();
        var (code, body, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync",
            """{"spec":{"tags":[{"name":"only","from":{"kind":"DockerImage","name":"registry.example.com/zync:1"}}]}}""", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(["only"], body!["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
    }

    [Fact]
    public async Task Put_with_a_stale_resource_version_returns_409_conflict()
    {
        using var api = Api();
        var (_, stream, _) = await api.GetAsync(Streams + "/amp-zync");
        var stale = stream!.DeepClone();
        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"touched":"yes"}}}""", "application/merge-patch+json");

        var (code, status, _) = await api.SendAsync(HttpMethod.Put, Streams + "/amp-zync", stale.ToJsonString());

        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", (string?)status!["reason"]);
        Assert.Equal("Operation cannot be fulfilled on imagestreams.image.openshift.io \"amp-zync\": the object has been modified; please apply your changes to the latest version and try again", (string?)status["message"]);
        Assert.Equal(409, (int)status["code"]!);
    }

    [Fact]
    public async Task Patch_carrying_a_stale_resource_version_returns_409()
    {
        using var api = Api();
        var (code, status, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"resourceVersion":"1"}}""", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", (string?)status!["reason"]);
    }

    [Fact]
    public async Task Failed_json_patch_test_on_3_11_returns_500_with_the_json_patch_error()
    {
        // Kubernetes 1.11 passes the json-patch error through (no 422 until the CVE-2019-1002100 fix); 4.x: OpenShift4Tests.
        using var api = Api();
        var (code, status, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync",
            """[{"op":"test","path":"/metadata/resourceVersion","value":"1"},{"op":"add","path":"/metadata/labels/x","value":"y"}]""", "application/json-patch+json");

        Assert.Equal(HttpStatusCode.InternalServerError, code);
        Assert.Null(status!["reason"]);
        Assert.Equal("Testing value /metadata/resourceVersion failed", (string?)status["message"]);
        Assert.Null(status["details"]);
    }

    [Fact]
    public async Task Add_to_spec_tags_of_a_stream_without_tags_is_refused_as_a_json_patch_error()
    {
        using var api = Api();
        await api.SendAsync(HttpMethod.Post, Streams, """{"metadata":{"name":"empty"},"spec":{}}""");

        var (code, _, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/empty",
            """[{"op":"add","path":"/spec/tags/-","value":{"name":"a","from":{"kind":"DockerImage","name":"r.io/a:1"}}}]""", "application/json-patch+json");

        // 3.11: the json-patch error as a 500 (422 on 4.x: OpenShift4Tests).
        Assert.Equal(HttpStatusCode.InternalServerError, code);
    }

    [Fact]
    public async Task Duplicate_tag_names_collapse_with_the_later_entry_winning_and_read_back_sorted()
    {
        using var api = Api();
        var (code, body, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync",
            """[{"op":"add","path":"/spec/tags/-","value":{"name":"latest","from":{"kind":"DockerImage","name":"r.io/zync:new"}}},{"op":"add","path":"/spec/tags/-","value":{"name":"0.1","from":{"kind":"DockerImage","name":"r.io/zync:old"}}}]""",
            "application/json-patch+json");

        Assert.Equal(HttpStatusCode.OK, code);
        var tags = body!["spec"]!["tags"]!.AsArray();
        Assert.Equal(["0.1", "2.6", "latest"], tags.Select(t => (string?)t!["name"]));
        Assert.Equal("r.io/zync:new", (string?)tags[2]!["from"]!["name"]);
    }

    [Fact]
    public async Task Deployment_config_without_containers_and_bad_names_are_invalid()
    {
        using var api = Api();
        var (code, status, _) = await api.SendAsync(HttpMethod.Post, Dcs, """{"metadata":{"name":"empty"},"spec":{"replicas":1,"template":{"spec":{"containers":[]}}}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("spec.template.spec.containers", (string?)status!["details"]!["causes"]![0]!["field"]);

        var (nameCode, nameStatus, _) = await api.SendAsync(HttpMethod.Post, Streams, """{"metadata":{"name":"Bad_Name"},"spec":{}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nameCode);
        Assert.Equal("Invalid", (string?)nameStatus!["reason"]);
    }

    [Fact]
    public async Task Errors_are_status_objects_with_reason_and_code()
    {
        using var api = Api();
        var (notFound, status, _) = await api.GetAsync(Dcs + "/nope");
        Assert.Equal(HttpStatusCode.NotFound, notFound);
        var expected = JsonNode.Parse("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deploymentconfigs.apps.openshift.io \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"apps.openshift.io","kind":"deploymentconfigs"},"code":404}""");
        Assert.True(JsonNode.DeepEquals(expected, status), status!.ToJsonString());

        var (exists, existsStatus, _) = await api.SendAsync(HttpMethod.Post, Streams, """{"metadata":{"name":"amp-zync"},"spec":{}}""");
        Assert.Equal(HttpStatusCode.Conflict, exists);
        Assert.Equal("AlreadyExists", (string?)existsStatus!["reason"]);

        // Only a strategic merge patch with lists or $-directives (what merge patch cannot mean) is refused.
        var (unsupported, smp, _) = await api.SendAsync(HttpMethod.Patch, Dcs + "/zync", """{"spec":{"triggers":[{"type":"ConfigChange"}]}}""", "application/strategic-merge-patch+json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported);
        Assert.Equal("UnsupportedMediaType", (string?)smp!["reason"]);
    }

    [Fact]
    public async Task Label_and_field_selectors_filter_lists()
    {
        using var api = Api();
        var (_, rcs, _) = await api.GetAsync("/api/v1/namespaces/3scale/replicationcontrollers?labelSelector=openshift.io%2Fdeployment-config.name%3Dzync");
        Assert.Equal(["zync-1"], rcs!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));

        var (_, dcs, _) = await api.GetAsync(Dcs + "?fieldSelector=metadata.name%3Dzync-que");
        Assert.Equal("DeploymentConfigList", (string?)dcs!["kind"]);
        Assert.Equal(["zync-que"], dcs["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));
    }

    [Fact]
    public async Task Discovery_lists_the_openshift_resources_for_kubectl()
    {
        using var api = Api();
        var (_, apps, _) = await api.GetAsync("/apis/apps.openshift.io/v1");
        var names = apps!["resources"]!.AsArray().Select(r => (string?)r!["name"]).ToList();
        Assert.Contains("deploymentconfigs", names);
        Assert.Contains("deploymentconfigs/instantiate", names);
        var (_, groups, _) = await api.GetAsync("/apis");
        Assert.Contains("image.openshift.io", groups!["groups"]!.AsArray().Select(g => (string?)g!["name"]));
    }
}
