using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Auth;

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
        Assert.EndsWith("or release it now: `ciupgrade unlock -n 3scale --run-id 'pipelinerun/upgrade-abc' --force`", error.Trim(), StringComparison.Ordinal);
        Assert.Equal(before, Release());
        Assert.DoesNotContain(Cluster.Requests, r => r.Method == "PATCH");
        Assert.Equal("pipelinerun/upgrade-abc", (string?)Get("configmaps", "ciupgrade-lock")["data"]!["holder"]);
    }

    [Fact]
    public async Task A_rerun_with_the_same_run_id_resumes_at_once()
    {
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        HoldLock("run-42", DateTimeOffset.UtcNow);

        var (code, output, error) = await Ciupgrade("patch-imagestreams", "--run-id", "run-42");

        Assert.True(code == 0, error);
        Assert.Contains("the upgrade lock is held by this run (run-42", output, StringComparison.Ordinal);
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }

    [Fact]
    public async Task A_rerun_of_a_killed_stage_with_nothing_left_to_change_still_releases_its_lock()
    {
        await UpgradeAsync();
        HoldLock("run-7", DateTimeOffset.UtcNow); // set-release killed after its patch: its lock stays behind

        var (code, output, error) = await Ciupgrade("set-release", "--run-id", "run-7");

        Assert.True(code == 0, error);
        Assert.Contains("the upgrade lock is held by this run (run-7", output, StringComparison.Ordinal);
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }

    [Fact]
    public async Task A_stale_lock_is_taken_over()
    {
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        HoldLock("gone-run", DateTimeOffset.UtcNow.AddMinutes(-10));

        var (code, output, error) = await Ciupgrade("patch-imagestreams");

        Assert.True(code == 0, error);
        Assert.Contains("the upgrade lock held by gone-run (stage patch-imagestreams", output, StringComparison.Ordinal);
        Assert.Contains("was not renewed for 4m0s: taking it over", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_on_one_namespace_the_second_waits_for_the_lock_named_in_its_log_then_finds_the_work_done()
    {
        // Run 1 (admin) holds the lock while its rollouts run: apicast-production's deployer is held back.
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code); // guide step 2.2 before the images
        Cluster.ControllerFaults.SlowDeploymentConfig(Ns, "apicast-production", TimeSpan.FromHours(1));
        var first = Ciupgrade("patch-imagestreams", "--run-id", "pipelinerun-uid-1");
        await Task.WhenAny(first, WaitUntilAsync(() => Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock") is not null));
        if (first.IsCompleted)
        {
            Assert.Fail("the first run ended before the second started: " + (await first).Err);
        }

        // Run 2, as another user (to tell its requests apart), starts meanwhile.
        var second = Cluster.AddToken("second-run", [new PolicyRule(["*"], ["*"], ["*"])]);
        var secondConfig = Cluster.WriteKubeconfig(Path.Combine(Dir, "second-kubeconfig"), second, Ns);
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.RequestAnswered += r =>
        {
            if (r.User == "second-run" && r.Method == "GET" && r.StatusCode == 200 && r.Path.EndsWith("/configmaps/ciupgrade-lock", StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        };
        var secondRun = Ciupgrade("patch-imagestreams", "--run-id", "pipelinerun-uid-2", "--kubeconfig", secondConfig, "--timeout", "5m");
        await seen.Task.WaitAsync(Timeout);

        // The second found the lock held; now the first may finish.
        Cluster.ControllerFaults.SlowDeploymentConfig(Ns, "apicast-production", TimeSpan.Zero);
        var (code1, _, error1) = await first;
        var (code2, output2, error2) = await secondRun;

        Assert.True(code1 == 0, error1);
        Assert.True(code2 == 0, error2);
        Assert.Contains("waiting for the upgrade lock of namespace 3scale: held by pipelinerun-uid-1 (stage patch-imagestreams", output2, StringComparison.Ordinal);
        // The second wrote nothing: the first had done the work (no patch, no lock of its own).
        Assert.DoesNotContain(Cluster.Requests, r => r.User == "second-run" && r.Method is "PATCH" or "POST" or "PUT" or "DELETE"
            && !r.Path.Contains("selfsubjectaccessreviews", StringComparison.Ordinal));
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }

    [Fact]
    public async Task A_stage_that_refuses_takes_no_lock()
    {
        Cluster.Registry.Delete("imagestreams", Ns, "amp-zync");

        var (code, _, error) = await Ciupgrade("patch-imagestreams");

        Assert.True(code == 4, error);
        Assert.DoesNotContain(Cluster.Requests, r => r.Path.Contains("/configmaps", StringComparison.Ordinal) && r.Method != "GET");
    }

    [Fact]
    public async Task A_rerun_without_run_id_is_told_the_holder_and_the_command_that_releases_a_dead_runs_lock()
    {
        // A crashed run without --run-id: its holder is user@host pid N, which a rerun (another pid) is not.
        const string dead = "alice@laptop pid 4242";
        HoldLock(dead, DateTimeOffset.UtcNow);

        var (waited, waitOutput, waitError) = await Ciupgrade("set-release", "--kubeconfig", Kubeconfig, "--timeout", "1s");
        Assert.Equal(4, waited);
        Assert.Contains($"if that run is gone: `ciupgrade unlock -n {Ns} --run-id '{dead}' --force`", waitOutput, StringComparison.Ordinal);
        Assert.Contains($"`ciupgrade unlock -n {Ns} --run-id '{dead}' --force`", waitError, StringComparison.Ordinal);

        var (refused, _, refusedError) = await Ciupgrade("unlock", "--run-id", dead);
        var (other, _, otherError) = await Ciupgrade("unlock", "--run-id", "someone-else", "--force");
        Assert.Equal(4, refused);
        Assert.Contains($"the upgrade lock of namespace {Ns} is held by {dead} (stage patch-imagestreams", refusedError, StringComparison.Ordinal);
        Assert.Contains("within 4m0s of its last renewal: its run may still be working. Nothing released; if you know that run is gone (its pod or process ended), rerun with --force", refusedError, StringComparison.Ordinal);
        Assert.Equal(4, other);
        Assert.Contains($"not by someone-else: nothing released", otherError, StringComparison.Ordinal);
        Assert.NotNull(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));

        var (released, releasedOutput, releasedError) = await Ciupgrade("unlock", "--run-id", dead, "--force");
        Assert.True(released == 0, releasedError);
        Assert.Contains($"released the upgrade lock of namespace {Ns} held by {dead}", releasedOutput, StringComparison.Ordinal);
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
        var (nothing, nothingOutput, _) = await Ciupgrade("unlock");
        Assert.Equal(0, nothing);
        Assert.Contains($"namespace {Ns} has no upgrade lock", nothingOutput, StringComparison.Ordinal);

        var (rerun, _, rerunError) = await Ciupgrade("set-release", "--kubeconfig", Kubeconfig, "--timeout", "5m");
        Assert.True(rerun == 0, rerunError);
    }

    [Fact]
    public async Task Unlock_releases_a_stale_lock_without_force()
    {
        HoldLock("gone-run", DateTimeOffset.UtcNow.AddMinutes(-10));

        var (code, output, error) = await Ciupgrade("unlock");

        Assert.True(code == 0, error);
        Assert.Contains("released the upgrade lock of namespace 3scale held by gone-run (stage patch-imagestreams", output, StringComparison.Ordinal);
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }

    [Fact]
    public async Task A_stage_holding_the_lock_may_not_ride_out_an_outage_longer_than_the_lock_survives_but_a_read_only_one_may()
    {
        var (set, _, setError) = await Ciupgrade("set-release", "--api-retry-budget", "10m", "--kubeconfig", Kubeconfig);
        var sent = Cluster.Requests.Count;
        var (dry, _, dryError) = await Ciupgrade("set-release", "--dry-run", "--api-retry-budget", "10m", "--kubeconfig", Kubeconfig);
        var (verify, _, verifyError) = await Ciupgrade("verify", "--api-retry-budget", "10m", "--junit", Path.Combine(Dir, "v.xml"), "--kubeconfig", Kubeconfig);

        Assert.Equal(2, set);
        Assert.Equal("error: --api-retry-budget 10m is longer than 2m40s, the longest API outage a stage holding the namespace lock may ride out (another run takes a lock over 4m0s after its last renewal; renewals every 20s, clocks assumed within 1m0s): use at most 2m40s, and rerun the stage after a longer outage", setError.Trim());
        Assert.Equal(0, sent);
        Assert.True(dry == 0, dryError);
        Assert.True(verify == 1, verifyError); // the 2.6 install fails verify's checks: it ran
    }
}
