using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Controllers;

public sealed class SeedTests : ClusterTest
{
    [Fact]
    public void Default_seed_is_a_healthy_26_install_from_the_template()
    {
        var dcs = Cluster.Registry.List("deploymentconfigs", Ns).Items;

        Assert.Equal(15, dcs.Count);
        Assert.All(dcs, dc =>
        {
            Assert.Equal(1L, (long)dc["status"]!["latestVersion"]!);
            Assert.Equal((long)dc["spec"]!["replicas"]!, (long)dc["status"]!["availableReplicas"]!);
            Assert.All(dc["spec"]!["template"]!["spec"]!["containers"]!.AsArray(), c => Assert.Contains("@sha256:", (string?)c!["image"], StringComparison.Ordinal));
        });
        var configMap = Cluster.Registry.Get("configmaps", Ns, "system-environment")!;
        Assert.Equal("2.6", (string?)configMap["data"]!["AMP_RELEASE"]);
    }

    [Theory]
    [InlineData("3scale-2.6,no-optional", 12, "system-mysql")]
    [InlineData("3scale-2.6,postgresql", 15, "system-mysql")]
    [InlineData("3scale-2.6,oracle", 14, "system-mysql")]
    public void Seed_variants_change_the_set_of_dcs(string spec, int count, string absent)
    {
        Cluster.Seed("variant", SeedOptions.Parse(spec));

        var names = Cluster.Registry.List("deploymentconfigs", "variant").Items.Select(d => d.Name()).ToList();

        Assert.Equal(count, names.Count);
        Assert.DoesNotContain(absent, names);
    }

    [Fact]
    public void Oracle_seed_has_the_build_config_and_a_build_produced_latest_on_amp_system()
    {
        Cluster.Seed("oracle", SeedOptions.Parse("3scale-2.6,oracle"));

        Assert.NotNull(Cluster.Registry.Get("buildconfigs", "oracle", "3scale-amp-system-oracle"));
        var stream = Cluster.Registry.Get("imagestreams", "oracle", "amp-system")!;
        Assert.DoesNotContain("latest", stream["spec"]!["tags"]!.AsArray().Select(t => (string?)t!["name"]));
        var app = Cluster.Registry.Get("deploymentconfigs", "oracle", "system-app")!;
        Assert.StartsWith("image-registry.openshift-image-registry.svc:5000/oracle/amp-system@sha256:", (string?)app["spec"]!["template"]!["spec"]!["containers"]![0]!["image"], StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_seed_spec_names_the_bad_part()
    {
        var e = Assert.Throws<ArgumentException>(() => SeedOptions.Parse("3scale-2.6,mongo"));

        Assert.Contains("mongo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_namespaces_can_be_seeded_in_one_cluster()
    {
        for (var i = 0; i < 20; i++)
        {
            Cluster.Seed($"tenant-{i}", SeedOptions.Default);
        }

        Assert.Equal(20 * 15, Cluster.Registry.List("deploymentconfigs", null).Items.Count(d => d.Namespace().StartsWith("tenant-", StringComparison.Ordinal)));
    }
}
