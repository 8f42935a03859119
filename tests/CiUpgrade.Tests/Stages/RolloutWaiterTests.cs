using System.Diagnostics;
using System.Net;
using System.Text;
using CiUpgrade.Cluster;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;
using CiUpgrade.Stages;
using k8s;

namespace CiUpgrade.Tests.Stages;

/// <summary>
/// The rollout waiter against a fake API server (an in-memory HTTP handler, no sockets) whose watches all end at
/// once, before any event: it must never report success with a DC pending (review D15), must not storm the server
/// (D6), and ends with the timeout naming the DC.
/// </summary>
public sealed class RolloutWaiterTests
{
    [Fact]
    public async Task A_watch_that_ends_at_once_never_yields_success_and_reconnects_with_backoff()
    {
        using var server = new FakeApiServer();
        using var kube = new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, server);
        using var output = new StringWriter();
        var context = new StageContext(new OpenShiftClient(kube, "3scale"), Samples.Plan, new Reporter(output, false, TimeProvider.System),
            TimeProvider.System, TimeSpan.FromSeconds(5));
        await context.Client.ListDeploymentConfigsAsync(CancellationToken.None); // first-use costs (JIT, JSON metadata) outside the timed wait
        var before = server.WatchesAndLists;
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<UpgradeException>(() => new RolloutWaiter(context, "wait-rollouts").WaitAsync(
            new Dictionary<string, RolloutExpectation> { ["apicast-production"] = RolloutExpectation.Images(new Dictionary<string, string> { ["apicast-production"] = Samples.NewRef }) },
            CancellationToken.None));
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.True(error.ExitCode == ExitCode.RolloutFailed, error.Message);
        Assert.True(error.Message.StartsWith("timed out after 5s waiting for rollouts: apicast-production: ", StringComparison.Ordinal), error.Message);
        Assert.True(error.Message.Contains("watching it was failing too: the server closed the watch before sending anything", StringComparison.Ordinal), error.Message);
        Assert.DoesNotContain("rolled out", output.ToString(), StringComparison.Ordinal);
        // Two watch loops (DCs, pods), each at most its relist and rewatch plus 2 requests per second (jittered
        // backoff from 0.5 s); an unthrottled loop would make thousands. The bound grows with the time taken.
        var sent = server.WatchesAndLists - before;
        Assert.True(sent <= 2 * (3 + (2 * seconds)), $"{sent} watch/list requests in {seconds:0.0}s: {string.Join(" | ", server.Log)}");
        Assert.True(server.Watches >= 2, "both watches were opened");
    }

    [Theory]
    [InlineData(0, 0.4, 0.6)]
    [InlineData(1, 0.8, 1.2)]
    [InlineData(3, 3.2, 4.8)]
    [InlineData(5, 8, 10)]
    [InlineData(40, 8, 10)]
    public void Reconnect_delay_doubles_from_half_a_second_with_jitter_up_to_ten(int attempt, double min, double max)
    {
        var low = ResourceWatch<k8s.Models.V1Pod>.Backoff(attempt, 0).TotalSeconds;
        var high = ResourceWatch<k8s.Models.V1Pod>.Backoff(attempt, 1).TotalSeconds;

        Assert.Equal((min, max), (Math.Round(low, 3), Math.Round(high, 3)));
    }

    /// <summary>Answers /version as 1.11, one pending DC, its RC still running, no pods; every watch ends at once.</summary>
    private sealed class FakeApiServer : DelegatingHandler
    {
        private int _watches;
        private int _watchesAndLists;

        public List<string> Log { get; } = [];

        public int Watches => _watches;

        public int WatchesAndLists => _watchesAndLists;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            lock (Log)
            {
                Log.Add(request.RequestUri.PathAndQuery);
            }

            var query = request.RequestUri.Query;
            string body;
            if (path == "/version")
            {
                body = """{"major":"1","minor":"11","gitVersion":"v1.11.0+d4cacc0"}""";
            }
            else if (query.Contains("watch=1", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _watches);
                Interlocked.Increment(ref _watchesAndLists);
                body = string.Empty;
            }
            else if (path.EndsWith("/deploymentconfigs", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _watchesAndLists);
                var dc = Samples.ApicastProduction(Samples.NewRef, version: 2, generation: 3, observed: 2);
                body = $$"""{"kind":"DeploymentConfigList","apiVersion":"apps.openshift.io/v1","metadata":{"resourceVersion":"100"},"items":[{{KubernetesJson.Serialize(dc)}}]}""";
            }
            else if (path.EndsWith("/replicationcontrollers", StringComparison.Ordinal))
            {
                var rc = Samples.Rc("apicast-production-2", "Running", Samples.NewRef, 1, 0);
                body = $$"""{"kind":"ReplicationControllerList","apiVersion":"v1","metadata":{"resourceVersion":"100"},"items":[{{KubernetesJson.Serialize(rc)}}]}""";
            }
            else if (path.EndsWith("/pods", StringComparison.Ordinal))
            {
                if (query.Contains("deploymentconfig", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _watchesAndLists);
                }

                body = """{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"100"},"items":[]}""";
            }
            else
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("""{"kind":"Status","code":404}"""), RequestMessage = request });
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
        }
    }
}
