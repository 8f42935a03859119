using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// On OpenShift 3.11 (Kubernetes 1.11) `dryRun=All` is ignored and the write applied (review D1): the read-only
/// stages and every --dry-run must send no write at all. The only POSTs allowed are SelfSubjectAccessReviews,
/// which store nothing (a create-only virtual resource: preflight's permission check).
/// </summary>
public class ReadOnlyOn311Tests : UpgradeTest
{
    private const string AccessReviews = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

    /// <summary>Flags added to every verb but set-release.</summary>
    protected virtual string[] Extra => [];

    [Theory]
    [InlineData("plan")]
    [InlineData("preflight")]
    [InlineData("patch-imagestreams", "--dry-run")]
    [InlineData("set-release", "--dry-run")]
    [InlineData("update-prehook", "--dry-run")]
    public async Task Sends_no_patch_post_put_or_delete(params string[] args)
    {
        var before = Cluster.Registry.Store.CurrentResourceVersion;

        var (code, output, error) = await Ciupgrade([.. args, .. args[0] is "set-release" or "update-prehook" ? [] : Extra]);
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.True(code == 0, $"{args[0]} exited {code}: {error}\n{output}");
        Assert.Empty(Cluster.Requests.Where(r => r.Method is "PATCH" or "PUT" or "DELETE" || (r.Method == "POST" && r.Path != AccessReviews))
            .Select(r => $"{r.Method} {r.Path}?{r.Query}"));
        Assert.Equal(before, Cluster.Registry.Store.CurrentResourceVersion);
        Assert.True(Cluster.Requests.Count(r => r.Path == "/version") <= 1, "the server version is read at most once per invocation");
        if (args[0] == "plan" || args.Contains("--dry-run"))
        {
            Assert.Contains("cannot validate these patches (server-side dry run needs Kubernetes 1.13): they are computed here and not sent", output, StringComparison.Ordinal);
            Assert.Contains("JSON patch [{\"op\":\"test\"", output, StringComparison.Ordinal);
        }
    }
}

/// <summary>The same on an Oracle-backed install (the BuildConfig patch and the build are only printed too).</summary>
public sealed class OracleReadOnlyOn311Tests : ReadOnlyOn311Tests
{
    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    protected override string[] Extra => ["--oracle-client-dir", OracleClientDir()];
}
