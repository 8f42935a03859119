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
        foreach (var verb in new[] { "preflight", "backup", "patch-imagestreams", "wait-rollouts", "set-release", "verify", "rollback", "drift", "plan", "build-oracle-system", "demo" })
        {
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }

        Assert.Contains("5  rollout or Oracle system build failed or timed out", output, StringComparison.Ordinal);
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
