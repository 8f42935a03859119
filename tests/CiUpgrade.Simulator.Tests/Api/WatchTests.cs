using System.Net;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

public sealed class WatchTests : ClusterTest
{
    private const string Streams = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams";

    [Fact]
    public async Task Watch_from_an_old_resource_version_replays_every_event_after_it()
    {
        using var api = Api();
        var (_, list, _) = await api.GetAsync(Streams);
        var from = (string?)list!["metadata"]!["resourceVersion"];
        for (var i = 0; i < 3; i++)
        {
            await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", "{\"metadata\":{\"labels\":{\"n\":\"" + i + "\"}}}", "application/merge-patch+json");
        }

        var seen = new List<string?>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await foreach (var e in api.WatchAsync($"{Streams}?watch=true&resourceVersion={from}&fieldSelector=metadata.name%3Damp-zync", stop.Token))
        {
            Assert.Equal("MODIFIED", (string?)e["type"]);
            seen.Add((string?)e["object"]!["metadata"]!["labels"]!["n"]);
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["0", "1", "2"], seen);
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_gets_a_410_gone_error_event_as_on_311()
    {
        using var api = Api();
        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"n":"x"}}}""", "application/merge-patch+json");
        Cluster.Registry.Store.Compact();

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var first = await api.WatchAsync($"{Streams}?watch=true&resourceVersion=5", stop.Token).FirstAsync(stop.Token);

        Assert.Equal("ERROR", (string?)first["type"]);
        Assert.Equal(410, (int)first["object"]!["code"]!);
        Assert.Equal("Gone", (string?)first["object"]!["reason"]);
    }

    [Fact]
    public async Task Watch_without_a_resource_version_starts_with_added_events_for_current_objects()
    {
        using var api = Api();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        var first = await api.WatchAsync($"{Streams}?watch=1&fieldSelector=metadata.name%3Damp-system", stop.Token).FirstAsync(stop.Token);

        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("amp-system", (string?)first["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Dropped_watch_knob_closes_the_stream_after_the_given_number_of_events()
    {
        Cluster.HttpFaults.DropWatchesAfterEvents = 2;
        using var api = Api();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var count = 0;
        var ended = false;
        try
        {
            await foreach (var _ in api.WatchAsync($"{Streams}?watch=true", stop.Token))
            {
                count++;
            }

            ended = true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            ended = true;
        }

        Assert.True(ended);
        Assert.Equal(2, count);
        Assert.False(stop.IsCancellationRequested);
    }

    [Fact]
    public async Task Watch_ends_at_timeout_seconds()
    {
        using var api = Api();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var events = await api.WatchAsync($"{Streams}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Damp-system", stop.Token).ToListAsync(stop.Token);

        Assert.Single(events);
        Assert.False(stop.IsCancellationRequested);
    }
}
