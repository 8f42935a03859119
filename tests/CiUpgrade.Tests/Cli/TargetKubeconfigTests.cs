using CiUpgrade.Cli;

namespace CiUpgrade.Tests.Cli;

/// <summary>--kubeconfig-dir and --target: a mounted target Secret, alone or one directory per Secret of a fleet.</summary>
public sealed class TargetKubeconfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-target-" + Guid.NewGuid().ToString("N")[..8]);

    public TargetKubeconfigTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Mount(string? sub, bool context)
    {
        var dir = sub is null ? _dir : Path.Combine(_dir, sub);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "kubeconfig"), "apiVersion: v1\nkind: Config\n");
        if (context)
        {
            File.WriteAllText(Path.Combine(dir, "context"), "prod\n");
        }

        return dir;
    }

    [Fact]
    public void An_unbound_workspace_leaves_the_pods_service_account()
    {
        Assert.Equal((null, null, "3scale"), TargetKubeconfig.Resolve(null, null, null, null, "3scale"));
    }

    [Fact]
    public void An_empty_directory_bound_in_its_place_is_this_cluster_too()
    {
        Assert.Equal((null, null, "3scale"), TargetKubeconfig.Resolve(_dir, null, null, null, "3scale"));
    }

    [Fact]
    public void A_bound_workspace_gives_its_kubeconfig_and_context()
    {
        var dir = Mount(null, context: true);

        Assert.Equal((Path.Combine(dir, "kubeconfig"), "prod", null), TargetKubeconfig.Resolve(dir, null, null, null, null));
    }

    [Fact]
    public void A_fleet_entry_picks_its_secrets_directory_and_namespace()
    {
        Mount("ciupgrade-target-prod", context: false);

        var resolved = TargetKubeconfig.Resolve(_dir, TargetEntry.Parse("prod:ciupgrade-target-prod:threescale-prod"), null, null, null);

        Assert.Equal((Path.Combine(_dir, "ciupgrade-target-prod", "kubeconfig"), null, "threescale-prod"), resolved);
    }

    [Fact]
    public void A_fleet_entry_without_a_secret_is_this_cluster()
    {
        Assert.Equal((null, null, "3scale"), TargetKubeconfig.Resolve(_dir, TargetEntry.Parse("local::3scale"), null, null, null));
    }

    [Theory]
    [InlineData("prod:a:b:c", "is not NAME:SECRET:NAMESPACE")]
    [InlineData(":secret:3scale", "is not NAME:SECRET:NAMESPACE")]
    [InlineData("Prod:secret:3scale", "--target's NAME \"Prod\" is not a valid namespace")]
    [InlineData("prod:Secret_1:3scale", "--target's SECRET \"Secret_1\" is not a valid object name")]
    public void A_malformed_entry_is_bad_input_naming_the_part(string entry, string message)
    {
        // A wrong part is a usage error (the validators' UsageException); a wrong shape names the format.
        var e = Assert.ThrowsAny<Exception>(() => TargetEntry.Parse(entry));

        Assert.True(e is UpgradeException { ExitCode: ExitCode.BadInput } or UsageException, e.GetType().Name);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workspace_without_a_kubeconfig_key_is_bad_input_saying_what_to_bind()
    {
        File.WriteAllText(Path.Combine(_dir, "token"), "not a kubeconfig");

        var e = Assert.Throws<UpgradeException>(() => TargetKubeconfig.Resolve(_dir, null, null, null, null));

        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.Contains("holds no file kubeconfig: bind the target workspace", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fleet_entry_whose_secret_is_not_projected_is_bad_input_naming_it()
    {
        var e = Assert.Throws<UpgradeException>(() => TargetKubeconfig.Resolve(_dir, TargetEntry.Parse("prod:ciupgrade-target-prod"), null, null, null));

        Assert.Contains("project Secret ciupgrade-target-prod", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_kubeconfig_flags_or_two_namespaces_are_bad_input()
    {
        var dir = Mount(null, context: false);

        Assert.Contains("both given", Assert.Throws<UpgradeException>(() => TargetKubeconfig.Resolve(dir, null, "/x/kubeconfig", null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("differ", Assert.Throws<UpgradeException>(() => TargetKubeconfig.Resolve(dir, TargetEntry.Parse("p::a"), null, null, "b")).Message, StringComparison.Ordinal);
    }
}
