using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Seed;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

/// <summary>LIST with limit and continue, as the API server chunks it (k8s.io/apiserver storage/etcd3/store.go GetList).</summary>
public sealed class ChunkedListTests : ClusterTest
{
    private const string AllDcs = "/apis/apps.openshift.io/v1/deploymentconfigs";

    [Fact]
    public async Task Chunks_of_limit_objects_in_key_order_cover_the_whole_list_once()
    {
        Cluster.Seed("a-b", SeedOptions.Default);
        using var api = Api();
        var (_, whole, _) = await api.GetAsync(AllDcs);
        var expected = whole!["items"]!.AsArray().Select(Key).ToList();

        var seen = new List<string>();
        var pages = 0;
        string? next = null;
        do
        {
            var (code, page, _) = await api.GetAsync(AllDcs + "?limit=7" + (next is null ? string.Empty : "&continue=" + Uri.EscapeDataString(next)));
            Assert.Equal(HttpStatusCode.OK, code);
            var items = page!["items"]!.AsArray();
            Assert.True(items.Count <= 7);
            seen.AddRange(items.Select(Key));
            next = (string?)page["metadata"]!["continue"];
            if (next is not null)
            {
                Assert.Equal(expected.Count - seen.Count, (long)page["metadata"]!["remainingItemCount"]!);
            }

            pages++;
        }
        while (next is not null);

        Assert.Equal(expected, seen);
        Assert.Equal((expected.Count + 6) / 7, pages);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen); // storage key order: namespace/name
    }

    [Fact]
    public async Task Later_chunks_are_read_at_the_revision_of_the_first()
    {
        using var api = Api();
        var (_, first, _) = await api.GetAsync(AllDcs + "?limit=1");
        var rv = (string?)first!["metadata"]!["resourceVersion"];
        await api.SendAsync(HttpMethod.Patch, "/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/zync",
            """{"metadata":{"labels":{"touched":"yes"}}}""", "application/merge-patch+json");

        var (code, rest, _) = await api.GetAsync(AllDcs + "?continue=" + Uri.EscapeDataString((string)first["metadata"]!["continue"]!));

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(rv, (string?)rest!["metadata"]!["resourceVersion"]);
        var zync = rest["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == "zync")!;
        Assert.Null(zync["metadata"]!["labels"]?["touched"]);
        Assert.Null(rest["metadata"]!["continue"]);
    }

    [Fact]
    public async Task A_continue_token_past_compaction_is_410_Expired_with_a_token_for_the_rest()
    {
        using var api = Api();
        var (_, first, _) = await api.GetAsync(AllDcs + "?limit=2");
        Cluster.Registry.Store.Compact();

        var (code, status, _) = await api.GetAsync(AllDcs + "?limit=2&continue=" + Uri.EscapeDataString((string)first!["metadata"]!["continue"]!));

        Assert.Equal(HttpStatusCode.Gone, code);
        Assert.Equal("Expired", (string?)status!["reason"]);
        Assert.StartsWith("The provided continue parameter is too old to display a consistent list result.", (string?)status["message"], StringComparison.Ordinal);
        var inconsistent = (string?)status["metadata"]!["continue"];
        Assert.NotNull(inconsistent);
        var (restCode, rest, _) = await api.GetAsync(AllDcs + "?limit=500&continue=" + Uri.EscapeDataString(inconsistent));
        Assert.Equal(HttpStatusCode.OK, restCode);
        Assert.Equal(13, rest!["items"]!.AsArray().Count); // 15 seeded DCs, 2 already returned
    }

    [Theory]
    [InlineData("not-base64!")]
    [InlineData("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJ4In0")] // {"v":"meta.k8s.io/v1","rv":0,"start":"x"}
    public async Task A_bad_continue_token_is_400(string token)
    {
        using var api = Api();

        var (code, status, _) = await api.GetAsync(AllDcs + "?limit=2&continue=" + token);

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.StartsWith("invalid continue token: continue key is not valid", (string?)status!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_pages_through_a_chunked_list()
    {
        Cluster.Seed("tenant", SeedOptions.Default);

        var (code, output, error) = await Kubectl.RunAsync(Kubeconfig, "get", "dc", "--all-namespaces", "--chunk-size=4", "-o", "name");

        Assert.True(code == 0, error);
        Assert.Equal(30, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(8, Cluster.Requests.Count(r => r.Path == AllDcs && r.Query.Contains("limit=4", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("/apis/image.openshift.io/v1/namespaces/3scale/imagestreams", "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams/amp-system")]
    [InlineData(AllDcs, "/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/zync")]
    public async Task A_list_item_is_the_object_a_GET_returns_before_and_after_a_write(string list, string one)
    {
        // LISTs are served from each stored version's encoded bytes (EncodedObjects): decorated as a GET is, and a new
        // version is encoded anew.
        using var api = Api();
        foreach (var limit in new[] { string.Empty, "?limit=500" })
        {
            await AssertListedAsGetAsync();
            await api.SendAsync(HttpMethod.Patch, one, "{\"metadata\":{\"labels\":{\"touched\":\"" + limit.Length + "\"}}}", "application/merge-patch+json");
            var (_, after, _) = await api.GetAsync(one);
            Assert.Equal(limit.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)after!["metadata"]!["labels"]!["touched"]);
            await AssertListedAsGetAsync();

            async Task AssertListedAsGetAsync()
            {
                var (code, page, _) = await api.GetAsync(list + limit);
                Assert.Equal(HttpStatusCode.OK, code);
                var (_, single, _) = await api.GetAsync(one);
                var name = (string?)single!["metadata"]!["name"];
                var listed = page!["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == name && (string?)i["metadata"]!["namespace"] == "3scale");
                Assert.Equal(single.ToJsonString(), listed!.ToJsonString());
            }
        }
    }

    private static string Key(JsonNode? item) => $"{item!["metadata"]!["namespace"]}/{item["metadata"]!["name"]}";
}
