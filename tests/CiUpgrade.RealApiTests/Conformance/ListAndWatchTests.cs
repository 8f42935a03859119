using System.Buffers.Text;
using System.Net;
using System.Text.Json.Nodes;

namespace CiUpgrade.RealApiTests.Conformance;

/// <summary>
/// Paged LISTs (limit/continue), a continue token whose revision was compacted (410 Expired with a token for the
/// inconsistent rest), and a watch from a compacted resourceVersion (an ERROR event with a 410 Status), alike on the
/// real server and the simulator.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class ListAndWatchTests(ConformanceServers servers)
{
    private static readonly string[] Names = ["c0", "c1", "c2", "c3", "c4"];

    [Fact]
    public async Task Pages_carry_the_same_items_remaining_counts_and_continue_tokens()
    {
        var ns = await servers.NamespaceAsync("wire-pages");
        var real = await PagesAsync(servers.Real, ns);
        Assert.Equal(3, real.Count);
        foreach (var server in servers.Simulators)
        {
            Assert.Equal(real, await PagesAsync(server, ns));
        }
    }

    [Fact]
    public async Task An_expired_continue_token_is_410_Expired_with_a_token_for_the_rest()
    {
        var ns = await servers.NamespaceAsync("wire-expired");
        var answers = new List<(ServerUnderTest Server, string Status, string Token, string Remainder)>();
        foreach (var server in servers.All)
        {
            await CreateConfigMapsAsync(server, ns);
            var path = $"api/v1/namespaces/{ns}/configmaps";
            var first = await server.Admin.ObjectAsync($"{path}?limit=2");
            var token = (string)first["metadata"]!["continue"]!;
            // A write after the first page, then the history up to it compacted (kube-apiserver does it every 5 minutes).
            await server.Admin.PostAsync(path, ConfigMap("c9"));
            await server.CompactAsync();

            var expired = await server.Admin.GetAsync($"{path}?limit=2&continue={Uri.EscapeDataString(token)}");
            Assert.True(expired.Code == HttpStatusCode.Gone, $"{server}: {expired}");
            var status = expired.Object;
            var next = (string)status["metadata"]!["continue"]!;
            status["metadata"] = new JsonObject();
            var rest = await server.Admin.ObjectAsync($"{path}?limit=10&continue={Uri.EscapeDataString(next)}");
            answers.Add((server, Wire.Canonical(status), Wire.Canonical(Decode(next)), string.Join(",", Items(rest))));
        }

        var (_, realStatus, realToken, realRest) = answers[0];
        Assert.Equal("c2,c3,c4,c9", realRest);
        foreach (var (server, status, token, rest) in answers.Skip(1))
        {
            Assert.True(realStatus == status, $"{server}: the real server answered {realStatus}, the simulator {status}");
            Assert.True(realToken == token, $"{server}: the real server's token for the rest is {realToken}, the simulator's {token}");
            Assert.True(realRest == rest, $"{server}: the real server lists {realRest} for the rest, the simulator {rest}");
        }
    }

    [Fact]
    public async Task A_watch_from_a_compacted_resource_version_is_one_ERROR_event_with_a_410_Status()
    {
        var ns = await servers.NamespaceAsync("wire-watch");
        var real = await FirstEventAsync(servers.Real, ns);
        Assert.Equal("ERROR", (string?)real["type"]);
        foreach (var server in servers.Simulators)
        {
            var simulated = await FirstEventAsync(server, ns);
            Assert.Equal("ERROR", (string?)simulated["type"]);
            var expected = real["object"]!.AsObject().DeepClone().AsObject();
            if (server.Is311)
            {
                // The 1.11 watch cache answers errors.NewGone; errors.NewResourceExpired ("Expired") came with 1.16.
                expected["reason"] = "Gone";
            }

            var actual = simulated["object"]!.AsObject();
            Assert.Equal(Wire.WithoutNumbers(Wire.Canonical(expected)), Wire.WithoutNumbers(Wire.Canonical(actual)));
            Assert.Equal(410, (int?)actual["code"]);
        }
    }

    private static async Task<JsonObject> FirstEventAsync(ServerUnderTest server, string ns)
    {
        await CreateConfigMapsAsync(server, ns);
        await server.CompactAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await foreach (var e in server.Admin.WatchAsync($"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams?watch=true&resourceVersion=1", stop.Token))
        {
            return e;
        }

        throw new InvalidOperationException($"{server}: the watch ended without an event");
    }

    /// <summary>Each page of a LIST by 2: its names, remainingItemCount and whether a continue token follows.</summary>
    private static async Task<List<string>> PagesAsync(ServerUnderTest server, string ns)
    {
        await CreateConfigMapsAsync(server, ns);
        var pages = new List<string>();
        string? token = null;
        do
        {
            var page = await server.Admin.ObjectAsync($"api/v1/namespaces/{ns}/configmaps?limit=2" + (token is null ? string.Empty : "&continue=" + Uri.EscapeDataString(token)));
            var meta = page["metadata"]!.AsObject();
            token = (string?)meta["continue"];
            token = string.IsNullOrEmpty(token) ? null : token;
            pages.Add($"{page["kind"]} [{string.Join(",", Items(page))}] remaining={meta["remainingItemCount"]?.ToJsonString() ?? "-"} continue={(token is null ? "no" : Wire.Canonical(Decode(token)))}");
        }
        while (token is not null);
        return pages;
    }

    private static IEnumerable<string> Items(JsonObject list) => list["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!);

    /// <summary>A continue token's content with its revision replaced (each server counts its own): {"v","rv","start"}.</summary>
    private static JsonObject Decode(string token)
    {
        var decoded = JsonNode.Parse(Base64Url.DecodeFromChars(token))!.AsObject();
        if ((long)decoded["rv"]! > 0)
        {
            decoded["rv"] = "a revision";
        }

        return decoded;
    }

    private static async Task CreateConfigMapsAsync(ServerUnderTest server, string ns)
    {
        foreach (var name in Names)
        {
            var created = await server.Admin.PostAsync($"api/v1/namespaces/{ns}/configmaps", ConfigMap(name));
            Assert.True(created.Code == HttpStatusCode.Created, $"{server}: {created}");
        }
    }

    private static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["k"] = name },
    };
}
