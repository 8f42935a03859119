using System.Net;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

/// <summary>OpenShift 3.11 (the default): Kubernetes 1.11, which knows neither dry run nor watch bookmarks.</summary>
public sealed class OpenShift311Tests : ClusterTest
{
    private const string Streams = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams";

    [Fact]
    public async Task Version_is_kubernetes_1_11()
    {
        using var api = Api();
        var (code, version, _) = await api.GetAsync("/version");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(("1", "11"), ((string?)version!["major"], (string?)version["minor"]));
        Assert.StartsWith("v1.11.0+", (string?)version["gitVersion"], StringComparison.Ordinal);
        Assert.Equal(["major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"],
            version.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Dry_run_is_ignored_and_the_patch_applied()
    {
        using var api = Api();
        var patch = RunbookPatches("amp-zync", "AMP Zync", "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7")[0];

        var (code, _, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync?dryRun=All", patch, "application/json-patch+json");
        var (_, after, _) = await api.GetAsync(Streams + "/amp-zync");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Contains("2.7", after!["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
    }

    [Fact]
    public async Task Watch_sends_no_bookmark_even_when_asked()
    {
        using var api = Api();
        var (_, list, _) = await api.GetAsync(Streams);
        var from = (string?)list!["metadata"]!["resourceVersion"];
        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-system", """{"metadata":{"labels":{"n":"skipped"}}}""", "application/merge-patch+json");
        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"n":"seen"}}}""", "application/merge-patch+json");

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var first = await api.WatchAsync($"{Streams}?watch=true&allowWatchBookmarks=true&resourceVersion={from}&fieldSelector=metadata.name%3Damp-zync", stop.Token)
            .FirstAsync(stop.Token);

        Assert.Equal("MODIFIED", (string?)first["type"]);
        Assert.Equal("seen", (string?)first["object"]!["metadata"]!["labels"]!["n"]);
    }
}

/// <summary>OpenShift 4.x: dry run honoured, bookmarks sent when asked, 410 reason Expired.</summary>
public sealed class OpenShift4Tests : ClusterTest
{
    private const string Streams = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams";

    protected override ServerVersion ServerVersion => ServerVersion.OpenShift4;

    [Theory]
    [InlineData("""[{"op":"test","path":"/metadata/resourceVersion","value":"1"},{"op":"add","path":"/metadata/labels/x","value":"y"}]""")]
    [InlineData("""[{"op":"add","path":"/spec/nothing/-","value":"y"}]""")]
    public async Task A_json_patch_that_does_not_apply_returns_422_with_the_generic_message_and_empty_details(string patch)
    {
        using var api = Api();
        var (code, status, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", patch, "application/json-patch+json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", (string?)status!["reason"]);
        Assert.Equal("the server rejected our request due to an error in our request", (string?)status["message"]);
        Assert.Equal("{}", status["details"]!.ToJsonString());
    }

    [Fact]
    public async Task Version_is_the_4x_kubernetes()
    {
        using var api = Api();
        var (_, version, _) = await api.GetAsync("/version");

        Assert.Equal(("1", "29"), ((string?)version!["major"], (string?)version["minor"]));
    }

    [Fact]
    public async Task Dry_run_returns_the_would_be_object_and_stores_nothing()
    {
        using var api = Api();
        var (_, before, _) = await api.GetAsync(Streams + "/amp-zync");
        var patch = RunbookPatches("amp-zync", "AMP Zync", "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7")[0];

        var (code, wouldBe, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync?dryRun=All", patch, "application/json-patch+json");
        await Cluster.WaitForIdleAsync(Timeout);
        var (_, after, _) = await api.GetAsync(Streams + "/amp-zync");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Contains("2.7", wouldBe!["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
        Assert.Equal((string?)before!["metadata"]!["resourceVersion"], (string?)after!["metadata"]!["resourceVersion"]);
        Assert.DoesNotContain("2.7", after["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
    }

    [Fact]
    public async Task Watch_sends_a_bookmark_past_skipped_events_when_asked()
    {
        using var api = Api();
        var (_, list, _) = await api.GetAsync(Streams);
        var from = (string?)list!["metadata"]!["resourceVersion"];
        var (_, skipped, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-system", """{"metadata":{"labels":{"n":"skipped"}}}""", "application/merge-patch+json");

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var first = await api.WatchAsync($"{Streams}?watch=true&allowWatchBookmarks=true&resourceVersion={from}&fieldSelector=metadata.name%3Damp-zync", stop.Token)
            .FirstAsync(stop.Token);

        Assert.Equal("BOOKMARK", (string?)first["type"]);
        Assert.Equal("ImageStream", (string?)first["object"]!["kind"]);
        Assert.Equal((string?)skipped!["metadata"]!["resourceVersion"], (string?)first["object"]!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_gets_410_expired()
    {
        using var api = Api();
        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"n":"x"}}}""", "application/merge-patch+json");
        Cluster.Registry.Store.Compact();

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var first = await api.WatchAsync($"{Streams}?watch=true&resourceVersion=5", stop.Token).FirstAsync(stop.Token);

        Assert.Equal((410, "Expired"), ((int)first["object"]!["code"]!, (string?)first["object"]!["reason"]));
    }
}
