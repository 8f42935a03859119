namespace CiUpgrade.IntegrationTests;

/// <summary>
/// A change that starts no rollout (update-prehook's strategy patch) bumps a DC's generation; until the DC controller
/// observes it the DC reads as "not observed". The checks every stage makes before its first write wait (watching,
/// bounded by a minute and --timeout) for the controller to catch up instead of refusing a healthy install, and judge
/// what they last saw when it never does.
/// </summary>
public sealed class ObservationWaitTests : UpgradeTest
{
    /// <summary>update-prehook's patch lands while the DC controller is down: system-app's new generation stays unobserved.</summary>
    private async Task PreHookPatchedWithTheDcControllerDownAsync()
    {
        Cluster.ControllerFaults.CrashController("deploymentconfig", int.MaxValue);
        var (code, _, error) = await Ciupgrade("update-prehook");
        Assert.True(code == 0, error);
        var dc = Get("deploymentconfigs", "system-app");
        Assert.True((long)dc["metadata"]!["generation"]! > (long)dc["status"]!["observedGeneration"]!);
    }

    [Fact]
    public async Task The_checks_wait_for_the_controller_to_observe_the_change_then_pass()
    {
        await PreHookPatchedWithTheDcControllerDownAsync();
        var listed = 0;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.RequestAnswered += r =>
        {
            // The checks' snapshot, then the re-read of the DCs that starts the wait for the controller.
            if (r.Method == "GET" && !r.IsWatch && r.Path.EndsWith("/deploymentconfigs", StringComparison.Ordinal) && Interlocked.Increment(ref listed) == 2)
            {
                waiting.TrySetResult();
            }
        };

        var preflight = Ciupgrade("preflight");
        await Task.WhenAny(preflight, waiting.Task);
        if (preflight.IsCompleted)
        {
            var (early, output, error) = await preflight;
            Assert.Fail($"preflight judged before the controller observed system-app (exit {early}): {error}\n{output}");
        }

        Cluster.ControllerFaults.CrashController("deploymentconfig", 0); // the controller comes back and observes the new generation
        var (code, _, err) = await preflight;

        Assert.True(code == 0, err);
        var dc = Get("deploymentconfigs", "system-app");
        Assert.Equal((long)dc["metadata"]!["generation"]!, (long)dc["status"]!["observedGeneration"]!);
    }

    [Fact]
    public async Task A_change_never_observed_within_the_timeout_is_reported_as_not_rolled_out()
    {
        await PreHookPatchedWithTheDcControllerDownAsync();
        var release = Get("deploymentconfigs", "system-app")["spec"]!["template"]!.ToJsonString();

        var (code, _, error) = await Ciupgrade("set-release", "--kubeconfig", Kubeconfig, "--timeout", "2s");

        Assert.Equal(4, code);
        Assert.Contains("DeploymentConfig system-app is not rolled out and available (the controller has not observed generation", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", error, StringComparison.Ordinal);
        Assert.Equal(release, Get("deploymentconfigs", "system-app")["spec"]!["template"]!.ToJsonString());
    }
}
