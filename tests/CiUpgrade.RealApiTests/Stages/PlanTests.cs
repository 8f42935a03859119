using System.Text.Json.Nodes;
using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Stages;

/// <summary>plan on the real server (Kubernetes 1.26, so every patch is sent with dryRun=All and validated, nothing stored).</summary>
[Collection(StagesCollection.Name)]
public sealed class PlanTests(RealApiServer server) : SeededInstallTest(server, "plan")
{
    [Fact]
    public async Task Plan_has_every_step_accepted_by_the_servers_dry_run_in_text_and_json_and_changes_nothing()
    {
        var (proxy, kubeconfig) = await ProxyAsync();

        var text = await RunAsAsync(kubeconfig, "plan");
        var json = await RunAsAsync(kubeconfig, "plan", "--output", "json");

        Assert.True(text.Code == 0, text.ToString());
        Assert.Contains("1. deploymentconfigs/system-app: JSON patch", text.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("rejected", text.Out, StringComparison.Ordinal);
        Assert.True(json.Code == 0, json.ToString());
        var steps = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(e => (string?)e["event"] == "patch").ToList();
        Assert.Equal(11, steps.Count);
        Assert.All(steps, s => Assert.Equal("accepted", (string?)s["dryRun"]));
        Assert.Equal("deploymentconfigs", (string?)steps[0]["resource"]);
        Assert.Equal("system-app", (string?)steps[^1]["name"]);
        Assert.Empty(proxy.Writes);
        Assert.Equal(2 * steps.Count, proxy.Requests.Count(r => r.Method == "PATCH" && r.IsDryRun));
    }

    [Fact]
    public async Task Plan_exits_4_when_the_servers_dry_run_rejects_a_step()
    {
        var (proxy, kubeconfig) = await ProxyAsync();
        // Another client changes amp-apicast between plan's read and its dry run of that stream's patch: the server
        // refuses the patch's resourceVersion guard.
        proxy.Before = async request =>
        {
            if (request.Method == "PATCH" && request.IsDryRun && request.Path.EndsWith("/imagestreams/amp-apicast", StringComparison.Ordinal))
            {
                var changed = await Api.MergePatchAsync($"apis/image.openshift.io/v1/namespaces/{Ns}/imagestreams/amp-apicast",
                    new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["touched-by"] = Guid.NewGuid().ToString("N") } } }.ToJsonString());
                Assert.Equal(System.Net.HttpStatusCode.OK, changed.Code);
            }

            return null;
        };

        var run = await RunAsAsync(kubeconfig, "plan");

        Assert.True(run.Code == 4, run.ToString());
        Assert.Contains("imagestreams/amp-apicast: JSON patch", run.Out, StringComparison.Ordinal);
        Assert.Contains("server dry run: rejected", run.Out, StringComparison.Ordinal);
        Assert.Empty(proxy.Writes);
    }
}
