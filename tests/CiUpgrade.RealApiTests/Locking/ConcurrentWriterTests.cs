using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.RealApiTests.Support;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.RealApiTests.Locking;

/// <summary>
/// Another client writing the same object between a stage's read and its patch (the recording proxy lets that write
/// land just before the patch reaches the server): the server refuses the patch's guard, the stage reads again,
/// recomputes and succeeds, keeping the other client's change.
/// </summary>
[Collection(LockingCollection.Name)]
public sealed class ConcurrentWriterTests(RealApiServer server) : SeededInstallTest(server, "writers")
{
    [Fact]
    public async Task A_patch_refused_because_another_client_wrote_the_stream_is_recomputed_and_keeps_that_write()
    {
        var hook = await RunAsync("update-prehook");
        Assert.True(hook.Code == 0, hook.ToString());
        await ControllerStandIn.RollOutAsync(Api, Ns, "system-app"); // the DC controller observes the strategy change
        var (proxy, kubeconfig) = await ProxyAsync();
        var written = 0;
        proxy.Before = async request =>
        {
            if (request.Method == "PATCH" && request.Path.EndsWith("/imagestreams/amp-backend", StringComparison.Ordinal) && Interlocked.Increment(ref written) == 1)
            {
                // Another client adds a tag of its own (a merge patch replaces the list: spec.tags as read, plus "hotfix").
                var stream = await StreamAsync("amp-backend");
                var tags = (JsonArray)stream["spec"]!["tags"]!.DeepClone();
                tags.Add(new JsonObject { ["name"] = "hotfix", ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = "registry.example.com/backend:hotfix" } });
                var changed = await Api.MergePatchAsync($"apis/image.openshift.io/v1/namespaces/{Ns}/imagestreams/amp-backend",
                    new JsonObject { ["spec"] = new JsonObject { ["tags"] = tags } }.ToJsonString());
                Assert.Equal(HttpStatusCode.OK, changed.Code);
            }

            return null;
        };

        var run = await RunAsAsync(kubeconfig, "patch-imagestreams", "--no-wait");

        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("amp-backend: changed while patching", run.Out, StringComparison.Ordinal);
        Assert.Equal(2, proxy.Requests.Count(r => r.Method == "PATCH" && r.Path.EndsWith("/imagestreams/amp-backend", StringComparison.Ordinal)));
        var names = (await StreamAsync("amp-backend"))["spec"]!["tags"].Objects().Select(t => t.Str("name")).ToList();
        Assert.Contains("hotfix", names);
        Assert.Single(names, n => n == "2.7");
        Assert.Equal("2.7", (await StreamAsync("amp-backend"))["spec"]!["tags"].Objects().Single(t => t.Str("name") == "latest")["from"].Str("name"));
    }

    [Fact]
    public async Task A_guard_refused_while_nothing_changed_the_object_is_exit_4_naming_a_bug_not_another_client()
    {
        var (proxy, kubeconfig) = await ProxyAsync();
        // The patch reaches the server spelled as no Go encoder spells it (`"` as \u0022, what System.Text.Json writes
        // by default): the server's byte comparison refuses its `test` of the hook command, while nothing changed.
        proxy.RewriteBody = request => request.Method == "PATCH" && request.Path.EndsWith("/deploymentconfigs/system-app", StringComparison.Ordinal)
            ? request.Body.Replace("\\\"", "\\u0022", StringComparison.Ordinal)
            : null;

        var run = await RunAsAsync(kubeconfig, "update-prehook");

        Assert.True(run.Code == 4, run.ToString());
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.Contains("although nothing changed the object", run.Err, StringComparison.Ordinal);
        Assert.Contains("not another client", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("another client keeps writing it", run.Err, StringComparison.Ordinal);
        Assert.Single(proxy.Requests, r => r.Method == "PATCH" && r.Path.EndsWith("/deploymentconfigs/system-app", StringComparison.Ordinal));
        Assert.Null(await ConfigMapAsync("ciupgrade-lock"));
    }
}
