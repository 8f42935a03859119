using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Locking;

/// <summary>
/// The namespace lock on a real API server, whose objects carry metadata.managedFields: a stage that waits holds the
/// lock, renews it while it waits (the renewal period shortened through the hidden CIUPGRADE_LOCK_RENEW_EVERY, so
/// nothing here waits for the 20 s default), ends with its own result and leaves no lock behind.
/// </summary>
[Collection(LockingCollection.Name)]
public sealed class LockRenewalTests(RealApiServer server) : SeededInstallTest(server, "lock")
{
    [Fact]
    public async Task A_stage_that_times_out_renews_its_lock_while_it_waits_and_releases_it_with_its_own_exit_5()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var list = await Api.ObjectAsync($"api/v1/namespaces/{Ns}/configmaps");
        var events = Api.WatchAsync(
            $"api/v1/namespaces/{Ns}/configmaps?watch=1&fieldSelector=metadata.name%3Dciupgrade-lock&resourceVersion={list["metadata"]!["resourceVersion"]}", stop.Token)
            .GetAsyncEnumerator(stop.Token);

        // No controller rolls system-app out on this server: set-release patches it, then waits until its --timeout.
        var run = await RunWithAsync(Server.Kubeconfig, new Dictionary<string, string?> { ["CIUPGRADE_LOCK_RENEW_EVERY"] = "1s" },
            "set-release", "--timeout", "12s", "--run-id", "renewal-run");

        Assert.True(run.Code == 5, run.ToString());
        Assert.Contains("timed out after 12s waiting for rollouts", run.Err, StringComparison.Ordinal);
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.DoesNotContain("could not renew", run.Out, StringComparison.Ordinal);
        Assert.Null(await ConfigMapAsync("ciupgrade-lock"));

        // What the lock went through, as the server recorded it: created, renewed while held, deleted at the end.
        var seen = new List<(string Type, JsonObject Lock)>();
        while (seen.Count == 0 || seen[^1].Type != "DELETED")
        {
            Assert.True(await events.MoveNextAsync(), "the watch ended before the lock's deletion was seen");
            seen.Add(((string)events.Current["type"]!, events.Current["object"]!.AsObject()));
        }

        await events.DisposeAsync();
        Assert.Equal("ADDED", seen[0].Type);
        Assert.All(seen, e => Assert.Equal("renewal-run", (string?)e.Lock["data"]?["holder"]));
        var renewals = seen.Where(e => e.Type == "MODIFIED").Select(e => (string?)e.Lock["data"]?["renewed"]).Distinct().ToList();
        Assert.True(renewals.Count >= 2, $"renewed {renewals.Count} times: {string.Join(", ", seen.Select(e => $"{e.Type} {e.Lock["data"]?["renewed"]}"))}");
        Assert.True(seen[^1].Lock["metadata"]?["managedFields"] is JsonArray { Count: > 0 }, "the real server records managedFields on the lock");
    }
}
