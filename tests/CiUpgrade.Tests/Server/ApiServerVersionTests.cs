using System.Text.Json.Nodes;
using CiUpgrade.Cluster;

namespace CiUpgrade.Tests.Server;

public sealed class ApiServerVersionTests
{
    [Theory]
    [InlineData("""{"major":"1","minor":"11","gitVersion":"v1.11.0+d4cacc0"}""", 1, 11, false, false)]
    [InlineData("""{"major":"1","minor":"11+","gitVersion":"v1.11.0+d4cacc0"}""", 1, 11, false, false)]
    [InlineData("""{"major":"1","minor":"12","gitVersion":"v1.12.4"}""", 1, 12, false, false)]
    [InlineData("""{"major":"1","minor":"13","gitVersion":"v1.13.4+c2a5caf"}""", 1, 13, true, false)]
    [InlineData("""{"major":"1","minor":"16","gitVersion":"v1.16.2"}""", 1, 16, true, true)]
    [InlineData("""{"major":"1","minor":"29","gitVersion":"v1.29.10+67d3387"}""", 1, 29, true, true)]
    [InlineData("""{"major":"","minor":"","gitVersion":"v1.14.6+8fc50dea9"}""", 1, 14, true, false)]
    public void Features_follow_the_reported_version(string json, int major, int minor, bool dryRun, bool bookmarks)
    {
        var version = ApiServerVersion.Parse(JsonNode.Parse(json));

        Assert.Equal((major, minor, dryRun, bookmarks), (version.Major, version.Minor, version.SupportsDryRun, version.SupportsWatchBookmarks));
    }

    [Fact]
    public void An_unreadable_version_relies_on_nothing()
    {
        var version = ApiServerVersion.Parse(JsonNode.Parse("""{"platform":"linux/amd64"}"""));

        Assert.Equal(ApiServerVersion.Unknown, version);
        Assert.False(version.SupportsDryRun || version.SupportsWatchBookmarks);
    }
}
