using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

public sealed class KubectlTests : ClusterTest
{
    [Fact]
    public async Task Kubectl_get_dc_lists_every_seeded_deployment_config_at_revision_1()
    {
        var (code, output, error) = await Kubectl.RunAsync(Kubeconfig, "get", "dc");

        Assert.True(code == 0, error);
        foreach (var dc in new[] { "apicast-production", "backend-cron", "system-app", "system-sphinx", "zync", "zync-database", "zync-que" })
        {
            Assert.Matches($@"(?m)^{dc}\s+1\s+1\s+1\s", output);
        }
    }

    [Fact]
    public async Task Kubectl_get_is_json_shows_the_26_tag_pinned_by_digest_and_latest_tracking_it()
    {
        var (code, output, error) = await Kubectl.RunAsync(Kubeconfig, "get", "is", "amp-system", "-o", "json");

        Assert.True(code == 0, error);
        var stream = JsonNode.Parse(output)!;
        Assert.Equal("ImageStream", (string?)stream["kind"]);
        Assert.Equal(["2.6", "latest"], stream["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
        var items = stream["status"]!["tags"]!.AsArray().Select(t => (string?)t!["items"]![0]!["dockerImageReference"]).ToList();
        Assert.All(items, i => Assert.Matches("^registry.redhat.io/3scale-amp26/system@sha256:[0-9a-f]{64}$", i));
        Assert.Equal(items[0], items[1]);
    }

    [Fact]
    public async Task Runbook_patch_with_kubectl_imports_27_and_rolls_out_exactly_the_system_dcs()
    {
        foreach (var patch in RunbookPatches("amp-system", "AMP system", "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7"))
        {
            var (code, _, error) = await Kubectl.RunAsync(Kubeconfig, "-n", Ns, "patch", "imagestream/amp-system", "--type=json", "-p", patch);
            Assert.True(code == 0, error);
        }

        await Cluster.WaitForIdleAsync(Timeout);

        var (_, image, _) = await Kubectl.ShellAsync(Kubeconfig, "kubectl get dc system-app -o json | jq '.spec.template.spec.containers[0].image'");
        Assert.Matches("^\"registry.redhat.io/3scale-amp2/system-rhel7@sha256:[0-9a-f]{64}\"$", image.Trim());
        var (_, versions, _) = await Kubectl.ShellAsync(Kubeconfig, "kubectl get dc -o json | jq -r '.items[] | \"\\(.metadata.name)=\\(.status.latestVersion)\"'");
        var byName = versions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(["system-app", "system-sidekiq", "system-sphinx"], byName.Where(kv => kv.Value == "2").Select(kv => kv.Key).Order());
        Assert.All(byName.Where(kv => !kv.Key.StartsWith("system-", StringComparison.Ordinal) || kv.Key is "system-memcache" or "system-mysql" or "system-redis"),
            kv => Assert.Equal("1", kv.Value));
        var (_, pods, _) = await Kubectl.RunAsync(Kubeconfig, "get", "pods", "-l", "deploymentconfig=system-app", "-o", "name");
        Assert.Equal(1, pods.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(p => p.StartsWith("pod/system-app-2-", StringComparison.Ordinal)));
        Assert.DoesNotContain("pod/system-app-1-", pods, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runbook_patches_twice_leave_one_entry_per_tag_and_no_second_rollout()
    {
        for (var round = 0; round < 2; round++)
        {
            foreach (var patch in RunbookPatches("amp-apicast", "AMP APIcast", "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7"))
            {
                var (code, _, error) = await Kubectl.RunAsync(Kubeconfig, "patch", "is/amp-apicast", "--type=json", "-p", patch);
                Assert.True(code == 0, error);
            }

            await Cluster.WaitForIdleAsync(Timeout);
        }

        var (_, output, _) = await Kubectl.RunAsync(Kubeconfig, "get", "is", "amp-apicast", "-o", "json");
        Assert.Equal(["2.6", "2.7", "latest"], JsonNode.Parse(output)!["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
        var (_, dc, _) = await Kubectl.RunAsync(Kubeconfig, "get", "dc", "apicast-staging", "-o", "json");
        Assert.Equal(2, (int)JsonNode.Parse(dc)!["status"]!["latestVersion"]!);
    }
}
