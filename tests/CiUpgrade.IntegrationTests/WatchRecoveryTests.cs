using System.Diagnostics;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Api;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// A stage waiting on watches while the API server's watch cache restarts (history compacted, every watch ended),
/// or while every watch is closed before its first event (review D6): the stage still finishes, and the waiter's
/// two watch loops (DeploymentConfigs, pods) send at most 2 watch or list requests per second each, on average over
/// the recovery, beyond the one relist and rewatch each needs. Counted from the simulator's request log; the bound
/// grows with the time the recovery took, so a slow machine cannot fail it, while an unthrottled loop (thousands
/// of requests a second) always does.
/// </summary>
public class WatchRecoveryTests : UpgradeTest
{
    private const int Loops = 2;

    [Fact]
    public async Task A_watch_cache_restart_while_set_release_waits_is_recovered_by_a_relist_without_a_request_storm()
    {
        Cluster.ControllerFaults.SlowDeploymentConfig(Ns, "system-app", TimeSpan.FromSeconds(5));
        var stage = Ciupgrade("set-release");
        await WaitUntilAsync(() => Cluster.Registry.Get("replicationcontrollers", Ns, "system-app-2") is not null);
        var mark = Cluster.Requests.Count;
        var clock = Stopwatch.StartNew();

        // A write no waiter watches moves the store past the resourceVersions the waiters hold, so the compaction
        // usually leaves them expired and the 410 path runs (a busy real cluster always has such writes); a watch
        // caught at the newest resourceVersion stays valid after the restart and needs no relist.
        Cluster.Registry.Create("configmaps", Ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "watch-cache-restart" } });
        Cluster.RestartWatchCache();
        var (code, output, error) = await stage;
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.True(code == 0, $"set-release exited {code}: {error}\n{output}");
        Assert.Contains("AMP_RELEASE=2.7 on system-app", output, StringComparison.Ordinal);
        var recovery = WaiterRequests(mark);
        // Whether a waiter must relist depends on where its watch stood when the cache restarted (a watch at the
        // newest resourceVersion resumes without one), which a test cannot fix without racing the stage; the
        // relist itself is not asserted here, only that the stage recovers without a request storm.

        // Bookmarks are asked for only where the server has them (1.16+): never on 3.11, always on 4.x.
        Assert.All(recovery.Where(r => r.IsWatch), r => Assert.Equal(ServerVersion.SendsBookmarks, r.Query.Contains("allowWatchBookmarks=true", StringComparison.Ordinal)));
        Assert.True(recovery.Count <= Loops * (3 + (2 * seconds)), $"{recovery.Count} watch/list requests in {seconds:0.0}s:\n{string.Join("\n", recovery.Select(r => $"{r.Path}?{r.Query}"))}");
    }

    [Fact]
    public async Task Watches_closed_before_their_first_event_back_off_and_the_stage_judges_the_relisted_state()
    {
        Cluster.HttpFaults.DropWatchesAfterEvents = 0;
        var clock = Stopwatch.StartNew();

        var (code, output, error) = await Ciupgrade("set-release");
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.True(code == 0, $"set-release exited {code}: {error}\n{output}");
        var requests = WaiterRequests(0);
        Assert.True(requests.Count <= Loops * (3 + (2 * seconds)), $"{requests.Count} watch/list requests in {seconds:0.0}s");
        Assert.Contains("AMP_RELEASE=2.7 on system-app", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_told_its_resource_version_expired_is_followed_by_a_relist_with_the_same_selectors()
    {
        // A compaction between the waiter's LIST and its WATCH: the only way on is a new LIST (rewatching from the
        // same resourceVersion would be told 410 forever, with a storm of requests on a real server; review D6).
        // system-app's rollout is held until the relist is seen, so the waiter cannot finish without watching.
        var path = $"/apis/apps.openshift.io/v1/namespaces/{Ns}/deploymentconfigs";
        Cluster.ControllerFaults.SlowDeploymentConfig(Ns, "system-app", TimeSpan.FromHours(1));
        Cluster.HttpFaults.ExpireNextWatches(1, path);

        var stage = Ciupgrade("set-release");
        await PollUntilAsync(() => DcCalls(path) is var calls && calls.FindIndex(r => r.IsWatch) is var w && w >= 0 && calls.Count > w + 1);
        Cluster.ControllerFaults.SlowDeploymentConfig(Ns, "system-app", TimeSpan.Zero);
        Cluster.ControllerFaults.NotifyChanged();
        var (code, output, error) = await stage;

        Assert.True(code == 0, $"set-release exited {code}: {error}\n{output}");
        var calls = DcCalls(path);
        var expired = calls.FindIndex(r => r.IsWatch);
        Assert.True(expired > 0, string.Join("\n", calls.Select(r => r.Query)));
        var relist = calls[expired + 1];
        Assert.False(relist.IsWatch, relist.Query);
        Assert.Equal(Selectors(calls[expired - 1].Query), Selectors(relist.Query));
    }

    private List<RecordedRequest> DcCalls(string path) => Cluster.Requests.Where(r => r.Method == "GET" && r.Path == path).ToList();

    /// <summary>Polls the request log (it changes without any store event to wait on), bounded by the test's timeout.</summary>
    private async Task PollUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), Timeout);
        }
    }

    private static string Selectors(string query) => string.Join("&", query.TrimStart('?').Split('&')
        .Where(p => p.StartsWith("labelSelector=", StringComparison.Ordinal) || p.StartsWith("fieldSelector=", StringComparison.Ordinal)));

    /// <summary>The waiter's watches and relists (JudgeAsync's own reads of one rollout's pods are not part of them).</summary>
    private List<RecordedRequest> WaiterRequests(int from) => Cluster.Requests.Skip(from).Where(r => r.Method == "GET"
        && (r.Path.EndsWith($"/namespaces/{Ns}/deploymentconfigs", StringComparison.Ordinal)
            || (r.Path.EndsWith($"/namespaces/{Ns}/pods", StringComparison.Ordinal) && r.Query.Contains("deploymentconfig", StringComparison.Ordinal)))).ToList();
}

/// <summary>The same on 4.x, where the watches also get BOOKMARKs.</summary>
public sealed class WatchRecoveryOn4xTests : WatchRecoveryTests
{
    protected override ServerVersion ServerVersion => ServerVersion.OpenShift4;
}
