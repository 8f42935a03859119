using System.Xml.Linq;
using CiUpgrade.Cli;

namespace CiUpgrade.IntegrationTests;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_runs_every_stage_against_the_embedded_cluster_and_verification_passes()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ciupgrade-demo-test-" + Guid.NewGuid().ToString("N")[..8]);
        var junit = Path.Combine(dir, "verify-junit.xml");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CliApp.RunAsync(["demo", "--junit", junit], stdout, stderr, CancellationToken.None);

        Assert.True(code == 0, stderr.ToString());
        var output = stdout.ToString();
        foreach (var stage in new[] { "preflight", "backup", "update-prehook", "patch-imagestreams", "set-release", "verify" })
        {
            Assert.Contains($"[demo] $ ciupgrade {stage}", output, StringComparison.Ordinal);
        }

        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal("0", (string?)suite.Attribute("failures"));
        var latest = File.ReadAllText(Path.Combine(dir, "backup", "3scale", "latest")).Trim();
        Assert.True(File.Exists(Path.Combine(dir, "backup", "3scale", latest, "manifest.json")));
        Directory.Delete(dir, recursive: true);
    }
}
