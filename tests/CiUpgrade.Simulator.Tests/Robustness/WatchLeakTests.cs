using System.Net;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Robustness;

/// <summary>Runs alone (no other test allocating in the process meanwhile), so the heap measurement means something.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public sealed class WatchLeakTests : ClusterTest
{
    private const string ConfigMaps = "/api/v1/namespaces/3scale/configmaps";

    [Fact]
    public async Task Ten_thousand_watches_ended_early_by_the_server_leave_no_memory_behind()
    {
        using var api = Api();
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, ConfigMaps, """{"metadata":{"name":"leak-probe"},"data":{"n":"0"}}""")).Code);
        var (_, list, _) = await api.GetAsync(ConfigMaps);
        var from = (string)list!["metadata"]!["resourceVersion"]!;
        for (var i = 1; i <= 3; i++)
        {
            await Touch(api, i);
        }

        // Each watch replays the three changes after `from`, gets the first, and the server cuts it: a watch
        // subscribed to the store and ended early, the case that leaked until the kernel killed the simulator.
        Cluster.HttpFaults.DropWatchesAfterEvents = 1;
        var watchersBefore = Cluster.Registry.Store.WatcherCount;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (_, ct) =>
        {
            using var worker = Api();
            for (var i = 0; i < 1250; i++)
            {
                var events = 0;
                await foreach (var e in worker.WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={from}", Timeout))
                {
                    events++;
                }

                Assert.Equal(1, events);
            }
        });
        Cluster.HttpFaults.Reset();

        // Changes after the watches ended: a subscription left behind would queue a copy of each, forever.
        for (var i = 4; i < 24; i++)
        {
            await Touch(api, i);
        }

        var growth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        Assert.True(growth < 64L * 1024 * 1024, $"the managed heap grew by {growth / (1024 * 1024)} MiB after 10,000 dropped watches");
        Assert.Equal(watchersBefore, Cluster.Registry.Store.WatcherCount);
        Assert.Equal(10_000, Cluster.Requests.Count(r => r.IsWatch));
    }

    private static async Task Touch(ApiClient api, int n) =>
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Patch, ConfigMaps + "/leak-probe", "{\"data\":{\"n\":\"" + n + "\"}}", "application/merge-patch+json")).Code);
}
