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
    public async Task Help_lists_the_verbs_in_the_order_a_chain_runs_them_and_the_exit_codes_on_stdout()
    {
        var (code, output, error) = await Run("--help");

        Assert.Equal(0, code);
        Assert.Empty(error);
        string[] chain = ["preflight", "backup", "update-prehook", "patch-imagestreams", "build-oracle-system", "wait-rollouts", "set-release", "verify", "gate", "rollback", "unlock", "drift", "plan"];
        var listed = output.Split('\n').Select(l => l.Trim().Split(' ')[0]).Where(chain.Contains).ToList();
        Assert.Equal(chain, listed);
        Assert.Contains("5  rollout, Oracle system build or database dump failed, or timed out", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_names_the_build_that_runs()
    {
        // The JIT build here (whose entry assembly, naming the heading, is the test host); .ci/aot-stages.sh checks that
        // the NativeAOT binary says NativeAOT.
        var (code, output, _) = await Run("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^\S+ [0-9.]+ \(framework-dependent, \.NET 10\.[0-9.]+\)$", output.Trim());
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
    [InlineData("no verb given: run ciupgrade VERB [flags], e.g. ciupgrade preflight -n 3scale; see ciupgrade --help")]
    [InlineData("unknown verb \"bogus\"; see ciupgrade --help", "bogus")]
    [InlineData("unknown verb \"--namespace\"; see ciupgrade --help", "--namespace", "3scale", "verify")]
    [InlineData("unknown flag --nope; see ciupgrade verify --help", "verify", "--nope")]
    [InlineData("unknown flag -x; see ciupgrade drift --help", "drift", "-x")]
    [InlineData("unknown flag --nope; --backup-dir is required; see ciupgrade backup --help", "backup", "--nope")]
    [InlineData("--backup-dir is required; see ciupgrade backup --help", "backup")]
    [InlineData("--status is required; see ciupgrade gate --help", "gate")]
    [InlineData("--dc needs a value; see ciupgrade wait-rollouts --help", "wait-rollouts", "--dc")]
    [InlineData("--timeout needs a value; see ciupgrade verify --help", "verify", "--timeout")]
    [InlineData("-n needs a value; see ciupgrade set-release --help", "set-release", "-n")]
    [InlineData("-n/--namespace is given more than once; see ciupgrade verify --help", "verify", "-n", "a", "-n", "b")]
    [InlineData("unexpected argument \"3scale\": every value follows its flag (e.g. -n 3scale); see ciupgrade verify --help", "verify", "3scale")]
    [InlineData("unexpected argument \"maybe\": every value follows its flag (e.g. -n 3scale); see ciupgrade backup --help", "backup", "--backup-dir", "b", "--databases", "maybe")]
    [InlineData("--timeout \"soon\" is not a duration: use seconds (600) or units (90s, 10m, 1h); see ciupgrade verify --help", "verify", "--timeout", "soon")]
    [InlineData("--output \"yaml\" is not supported: use text or json; see ciupgrade drift --help", "drift", "--output", "yaml")]
    [InlineData("--output \"yaml\" is not supported: use text or json; see ciupgrade gate --help", "gate", "--status", "Succeeded", "--output", "yaml")]
    [InlineData("-n/--namespace \"3Scale\" is not a valid namespace: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit; see ciupgrade preflight --help", "preflight", "-n", "3Scale")]
    public async Task A_usage_error_is_one_line_naming_the_mistake_and_the_help_to_read_exit_2(string message, params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal($"error: {message}", error.TrimEnd('\n', '\r'));
    }

    [Theory]
    [InlineData("verify", "--help")]
    [InlineData("help", "verify")]
    [InlineData("verify", "-h")]
    public async Task A_verbs_help_goes_to_stdout_with_exit_0(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("--write-baseline", output, StringComparison.Ordinal);
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
