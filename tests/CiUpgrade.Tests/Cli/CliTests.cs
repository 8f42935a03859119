using CiUpgrade.Cli;

namespace CiUpgrade.Tests.Cli;

public sealed class CliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Help_lists_every_stage_and_the_exit_codes_on_stdout()
    {
        var (code, output, _) = await Run("--help");

        Assert.Equal(0, code);
        foreach (var verb in new[] { "preflight", "backup", "update-prehook", "patch-imagestreams", "wait-rollouts", "set-release", "verify", "rollback", "drift", "plan", "build-oracle-system", "gate" })
        {
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }

        Assert.Contains("5  rollout, Oracle system build or database dump failed, or timed out", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preflight_with_a_target_version_the_plan_does_not_have_exits_4_before_any_request()
    {
        // No kubeconfig needed: the plan alone decides, before the cluster is asked anything.
        var (code, _, error) = await Run("preflight", "--target-version", "2.8", "--kubeconfig", Path.Combine(Path.GetTempPath(), "no-such-kubeconfig-" + Guid.NewGuid().ToString("N")));

        Assert.Equal(4, code);
        Assert.Equal("error: --target-version is 2.8, but the built-in plan upgrades 2.6 to 2.7: pass a plan that targets 2.8, or target-version 2.7", error.Trim());
    }

    [Theory]
    [InlineData("Succeeded", 0, "verification succeeded: 15 passed, 0 failed, 1 skipped")]
    [InlineData("Failed", 1, "error: verification failed: 15 passed, 0 failed, 1 skipped")]
    [InlineData("", 1, "error: verify reported status \"\", not Succeeded or Failed")]
    [InlineData("succeeded", 1, "error: verify reported status \"succeeded\"")]
    public async Task Gate_passes_only_on_status_succeeded(string status, int expected, string message)
    {
        var (code, output, error) = await Run("gate", "--status", status, "--passed", "15", "--failed", "0", "--skipped", "1");

        Assert.Equal(expected, code);
        Assert.Contains(message, output + error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("verify", "--nope")]
    [InlineData("backup")]
    public async Task Bad_usage_exits_2_on_stderr(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.NotEmpty(error);
    }

    [Fact]
    public async Task Missing_kubeconfig_file_exits_2_with_one_line()
    {
        var (code, _, error) = await Run("verify", "--kubeconfig", "does-not-exist.yaml", "-n", "3scale");

        Assert.Equal(2, code);
        Assert.Equal("error: kubeconfig does-not-exist.yaml does not exist: pass an existing file with --kubeconfig or set KUBECONFIG", error.Trim());
    }

    [Fact]
    public async Task Malformed_kubeconfig_exits_2_without_a_stack_trace()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "clusters: [ this is : not yaml");

        var (code, _, error) = await Run("verify", "--kubeconfig", path, "-n", "3scale");

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        File.Delete(path);
    }

    [Fact]
    public async Task Bad_timeout_and_output_exit_2()
    {
        Assert.Equal(2, (await Run("verify", "--timeout", "soon")).Code);
        Assert.Equal(2, (await Run("verify", "--output", "yaml")).Code);
    }

    [Theory]
    [InlineData("600", 600)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    public void Durations_parse_seconds_and_units(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.Parse(text));
    }
}
