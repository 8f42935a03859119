using CiUpgrade.Cli;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Cli;

public sealed class InputValidationTests
{
    [Theory]
    [InlineData("3scale")]
    [InlineData("a")]
    [InlineData("prod-3scale-01")]
    public void Dns_labels_are_namespaces(string ns) => Assert.Equal(ns, InputValidation.Namespace(ns, "-n/--namespace"));

    [Theory]
    [InlineData("3Scale")]
    [InlineData("-3scale")]
    [InlineData("3scale.prod")]
    [InlineData("a/b")]
    public void Other_names_are_refused_naming_the_flag(string ns)
    {
        var e = Assert.Throws<UsageException>(() => InputValidation.Namespace(ns, "-n/--namespace"));

        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.StartsWith($"-n/--namespace \"{ns}\" is not a valid namespace", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_namespace_is_refused_with_a_short_message()
    {
        var e = Assert.Throws<UsageException>(() => InputValidation.Namespace(new string('a', 100_000), "-n/--namespace"));

        Assert.Contains("(100000 characters)", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 300);
    }

    [Theory]
    [InlineData("1200h")]
    [InlineData("25h")]
    [InlineData("99999999999h")]
    public void Timeouts_beyond_a_day_are_refused(string text) =>
        Assert.Equal(ExitCode.BadInput, Assert.Throws<UsageException>(() => InputValidation.Timeout(text)).ExitCode);

    [Fact]
    public void The_retry_budget_never_exceeds_the_timeout()
    {
        Assert.Equal(TimeSpan.FromMinutes(2), InputValidation.ApiRetryBudget("2m", TimeSpan.FromMinutes(30)));
        Assert.Equal(TimeSpan.FromSeconds(45), InputValidation.ApiRetryBudget("2m", TimeSpan.FromSeconds(45)));
    }

    [Theory]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7")]
    [InlineData("mirror.example.com:5000/amp/system@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("system")]
    [InlineData("quay.io/org/my_image:v1.2-rc")]
    public void Image_references_parse(string image) => Assert.True(ImageReference.IsValid(image));

    [Theory]
    [InlineData("not an image")]
    [InlineData("Registry.io/UPPER/case:tag")]
    [InlineData("repo:tag:tag")]
    [InlineData("repo@sha256:short")]
    [InlineData("")]
    public void Other_strings_are_not_image_references(string image) => Assert.False(ImageReference.IsValid(image));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(75, "1m15s")]
    [InlineData(3600, "1h0m0s")]
    [InlineData(5400, "1h30m0s")]
    public void Durations_print_in_one_format(int seconds, string text) => Assert.Equal(text, DurationText.Format(TimeSpan.FromSeconds(seconds)));
}
