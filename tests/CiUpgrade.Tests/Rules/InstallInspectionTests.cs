using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Rules;

public sealed class InstallInspectionTests
{
    [Fact]
    public void Optional_streams_apply_only_when_their_dc_exists()
    {
        var dcs = new HashSet<string> { "system-app", "backend-redis" };

        var streams = InstallInspection.ApplicableStreams(Samples.Plan, dcs).Select(s => s.Name).ToList();

        Assert.Equal(["amp-system", "amp-apicast", "amp-backend", "amp-zync", "system-memcached", "zync-database-postgresql", "backend-redis"], streams);
    }

    [Fact]
    public void Oracle_is_detected_only_from_the_build_config_or_the_database_url()
    {
        Assert.False(InstallInspection.IsOracle(buildConfigExists: false, databaseUrl: "mysql2://root@system-mysql/system"));
        Assert.False(InstallInspection.IsOracle(buildConfigExists: false, databaseUrl: null));
        Assert.True(InstallInspection.IsOracle(buildConfigExists: true, databaseUrl: null));
        Assert.True(InstallInspection.IsOracle(buildConfigExists: false, databaseUrl: "oracle-enhanced://u:p@db:1521/x"));
    }
}
