using System.Globalization;
using System.Text.Json.Nodes;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// One upgrade at a time per namespace: every mutating stage holds ConfigMap ciupgrade-lock while it runs; another
/// run waits for it up to --timeout, then exits 4 naming the holder; a rerun of the same --run-id and a stale lock
/// are taken over; the lock is gone when the stage ends.
/// </summary>
public sealed class NamespaceLockTests : UpgradeTest
{
    private void HoldLock(string holder, DateTimeOffset renewed) =>
        Cluster.Registry.Create("configmaps", Ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "ciupgrade-lock", ["namespace"] = Ns },
            ["data"] = new JsonObject
            {
                ["holder"] = holder,
                ["stage"] = "patch-imagestreams",
                ["acquired"] = renewed.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["renewed"] = renewed.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            },
        });

    private string Release() => Get("deploymentconfigs", "system-app")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.ToJsonString();

    [Fact]
    public async Task A_live_lock_of_another_run_makes_the_stage_wait_then_exit_4_naming_the_holder_with_nothing_changed()
    {
        HoldLock("pipelinerun/upgrade-abc", DateTimeOffset.UtcNow);
        var before = Release();

        var (code, _, error) = await Ciupgrade("set-release", "--kubeconfig", Kubeconfig, "--timeout", "3s");

        Assert.Equal(4, code);
        Assert.Contains("namespace 3scale is being upgraded by pipelinerun/upgrade-abc (stage patch-imagestreams", error, StringComparison.Ordinal);
        Assert.Equal(before, Release());
        Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
        Assert.Equal("pipelinerun/upgrade-abc", (string?)Get("configmaps", "ciupgrade-lock")["data"]!["holder"]);
    }

    [Fact]
    public async Task A_rerun_with_the_same_run_id_resumes_at_once()
    {
        HoldLock("run-42", DateTimeOffset.UtcNow);

        var (code, output, error) = await Ciupgrade("patch-imagestreams", "--run-id", "run-42");

        Assert.True(code == 0, error);
        Assert.Contains("the upgrade lock is held by this run (run-42", output, StringComparison.Ordinal);
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }

    [Fact]
    public async Task A_stale_lock_is_taken_over()
    {
        HoldLock("gone-run", DateTimeOffset.UtcNow.AddMinutes(-10));

        var (code, output, error) = await Ciupgrade("patch-imagestreams");

        Assert.True(code == 0, error);
        Assert.Contains("the upgrade lock held by gone-run (stage patch-imagestreams", output, StringComparison.Ordinal);
        Assert.Contains("was not renewed for 3m0s: taking it over", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_at_once_take_turns()
    {
        var first = Ciupgrade("patch-imagestreams", "--run-id", "first");
        var second = Ciupgrade("patch-imagestreams", "--run-id", "second");

        var results = await Task.WhenAll(first, second);

        Assert.All(results, r => Assert.True(r.Code == 0, r.Err));
        var lockWrites = Cluster.Requests.Where(r => r.Path.EndsWith("/configmaps", StringComparison.Ordinal) && r.Method == "POST" && r.StatusCode == 201
            || r.Path.EndsWith("/configmaps/ciupgrade-lock", StringComparison.Ordinal) && r.Method == "DELETE").Select(r => r.Method).ToList();
        Assert.Equal(["POST", "DELETE", "POST", "DELETE"], lockWrites);
        Assert.Single(results, r => r.Out.Contains("waiting for the upgrade lock of namespace 3scale: held by", StringComparison.Ordinal));
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }
}
