using System.IO.Pipelines;
using System.Net;
using System.Text;
using CiUpgrade.Cluster;
using k8s;

namespace CiUpgrade.Tests.Stages;

/// <summary>
/// A watch told its resourceVersion is too old (an ERROR event with a 410) relists and watches again; once the new
/// watch delivers, the failure is over: a timeout message must not name the 410 any more (issue 22, seen on a real
/// API server: the note stayed until the recovered watch ended, up to a minute later). Against an in-memory fake API
/// server whose second watch delivers one event and then stays open, as a healthy watch does.
/// </summary>
public sealed class ResourceWatchRecoveryTests
{
    [Fact]
    public async Task A_watch_that_recovered_from_a_410_reports_no_failure_while_it_runs()
    {
        using var server = new ExpiringThenHealthyServer();
        using var kube = new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, server);
        var client = new OpenShiftClient(kube, "3scale");
        var watch = client.DeploymentConfigWatch();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var seen = new List<string?>();

        await foreach (var dc in watch.ChangesAsync("5", timeout.Token))
        {
            seen.Add(dc.Metadata.ResourceVersion);
            if (dc.Metadata.ResourceVersion == "101")
            {
                // Delivered by the watch opened after the relist, which is still open.
                Assert.Null(watch.LastFailure);
                break;
            }
        }

        Assert.Equal(["100", "101"], seen);
        Assert.Equal(["watch 5", "list", "watch 100"], server.Calls);
    }

    /// <summary>/version 1.11; the first watch gets a 410 ERROR event; the LIST one DC at 100; the next watch one MODIFIED at 101, then nothing until closed.</summary>
    private sealed class ExpiringThenHealthyServer : DelegatingHandler
    {
        private readonly Pipe _open = new();

        public List<string> Calls { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
            if (uri.AbsolutePath == "/version")
            {
                return Answer(request, """{"major":"1","minor":"11","gitVersion":"v1.11.0+d4cacc0"}""");
            }

            var dc = Samples.ApicastProduction(Samples.NewRef);
            if (query["watch"] is null)
            {
                Calls.Add("list");
                dc.Metadata.ResourceVersion = "100";
                return Answer(request, $$"""{"kind":"DeploymentConfigList","apiVersion":"apps.openshift.io/v1","metadata":{"resourceVersion":"100"},"items":[{{KubernetesJson.Serialize(dc)}}]}""");
            }

            Calls.Add("watch " + query["resourceVersion"]);
            if (query["resourceVersion"] == "5")
            {
                return Answer(request, """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (90)","reason":"Gone","code":410}}""" + "\n");
            }

            dc.Metadata.ResourceVersion = "101";
            await _open.Writer.WriteAsync(Encoding.UTF8.GetBytes($$"""{"type":"MODIFIED","object":{{KubernetesJson.Serialize(dc)}}}""" + "\n"), cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(_open.Reader.AsStream()), RequestMessage = request };
        }

        protected override void Dispose(bool disposing)
        {
            _open.Writer.Complete();
            base.Dispose(disposing);
        }

        private static HttpResponseMessage Answer(HttpRequestMessage request, string body) =>
            new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request };
    }
}
