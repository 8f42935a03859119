using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// The size of build-oracle-system's upload (issue 21): OpenShift's API server takes a build context of any size
/// (CiUpgrade.Rules.UploadRefusal cites where), so the simulator does too; an upload something in between refuses is
/// named with its size, not reported as an unreachable server.
/// </summary>
public sealed class OracleUploadSizeTests : UpgradeTest
{
    private const string Bc = "3scale-amp-system-oracle";

    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    /// <summary>A client directory whose basiclite package is <paramref name="bytes"/> of incompressible bytes (a seeded generator: the same every run).</summary>
    private string ClientDirOf(int bytes)
    {
        var dir = OracleClientDir();
        var package = ThreeScaleSeed.OracleClientFiles.First(f => f.Contains("basiclite", StringComparison.Ordinal));
        var content = new byte[bytes];
        new Random(21).NextBytes(content);
        File.WriteAllBytes(Path.Combine(dir, package), content);
        return dir;
    }

    private IReadOnlyList<JsonObject> Builds() => Cluster.Registry.List("builds", Ns).Items;

    [Fact]
    public async Task A_build_context_larger_than_kestrels_default_body_limit_is_uploaded_and_built()
    {
        // 31,000,000 bytes: over ASP.NET Core's default MaxRequestBodySize (30,000,000), which the simulator applied before.
        var dir = ClientDirOf(31_000_000);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var before = Builds().Select(b => b.Name()).ToHashSet(StringComparer.Ordinal);

        var (code, output, error) = await Ciupgrade("build-oracle-system", "--oracle-client-dir", dir, "--no-wait");

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var build = Assert.Single(Builds(), b => !before.Contains(b.Name()));
        Assert.Equal("Complete", (string?)build["status"]!["phase"]);
        Assert.Equal(ThreeScaleSeed.OracleClientFiles.Order(StringComparer.Ordinal), Cluster.BinaryUploads.FilesOf(Ns, build.Name())!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_upload_a_proxy_refuses_as_too_large_is_named_with_its_size_and_exits_5_then_a_rerun_builds()
    {
        var dir = ClientDirOf(2 * 1024 * 1024);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        var before = Builds().Select(b => b.Name()).ToHashSet(StringComparer.Ordinal);
        Cluster.HttpFaults.UploadLimit = 1024 * 1024;

        var (code, _, error) = await Ciupgrade("build-oracle-system", "--oracle-client-dir", dir);

        Assert.Equal(5, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"the upload of the Oracle build context was refused as too large: --oracle-client-dir {dir} (4 files, 2.0 MiB; ", line, StringComparison.Ordinal);
        Assert.Contains("413", line, StringComparison.Ordinal);
        Assert.Contains("client_max_body_size", line, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", line, StringComparison.Ordinal);
        // The proxy refused it: the API server never saw the upload, so no build was started, and the lock is released.
        Assert.DoesNotContain(Builds(), b => !before.Contains(b.Name()));
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));

        // The limit raised, the rerun builds.
        Cluster.HttpFaults.UploadLimit = null;
        var rerun = await Ciupgrade("build-oracle-system", "--oracle-client-dir", dir, "--no-wait");
        Assert.True(rerun.Code == 0, $"exit {rerun.Code}: {rerun.Err}\n{rerun.Out}");
        Assert.Equal("Complete", (string?)Assert.Single(Builds(), b => !before.Contains(b.Name()))["status"]!["phase"]);
    }
}
