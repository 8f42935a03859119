using System.Text.RegularExpressions;
using System.Xml.Linq;
using CiUpgrade.Simulator.Demo;

namespace CiUpgrade.IntegrationTests;

public sealed class DemoTests
{
    [Fact]
    public async Task Demo_runs_every_stage_as_its_own_ciupgrade_process_and_verification_passes()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ciupgrade-demo-test-" + Guid.NewGuid().ToString("N")[..8]);
        var junit = Path.Combine(dir, "verify-junit.xml");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // The ciupgrade.dll beside this test assembly (the project references it) runs in child processes.
        var code = await DemoCommand.RunAsync(["--junit", junit], stdout, stderr, CancellationToken.None);

        Assert.True(code == 0, stdout + stderr.ToString());
        var output = stdout.ToString();
        Assert.Contains("[demo] each stage runs as its own process: ", output, StringComparison.Ordinal);
        foreach (var stage in DemoChain.Stages("b", "j"))
        {
            Assert.Contains($"[demo] $ ciupgrade {stage[0]}", output, StringComparison.Ordinal);
            Assert.Contains($"[{stage[0]}] ", output, StringComparison.Ordinal);
        }

        var last = output.TrimEnd().Split('\n')[^1];
        // The last line names the build it ran (the test's JIT build) and its path, beside the overhead it explains.
        var app = CiUpgradeExecutable.Find(null).Path;
        Assert.Matches(@"^\[demo\] verification passed; JUnit report: .*; upgrade took \d+\.\d\ds, of which the simulated cluster's own imports and rollouts \d+\.\d\ds \(ciupgrade's overhead -?\d+\.\d\ds\) with the framework-dependent build " + Regex.Escape(app) + @" \(framework-dependent, \.NET 10\.[0-9.]+: \.NET start-up and JIT in each stage's process are most of that; the NativeAOT binary the image ships, --ciupgrade publish/ciupgrade after build/publish\.sh, takes under a second: docs/benchmarks\.md\)$", last);
        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal("0", (string?)suite.Attribute("failures"));
        var latest = File.ReadAllText(Path.Combine(dir, "backup", "3scale", "latest")).Trim();
        Assert.True(File.Exists(Path.Combine(dir, "backup", "3scale", latest, "manifest.json")));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_missing_ciupgrade_binary_is_one_error_line_and_exit_2()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await DemoCommand.RunAsync(["--ciupgrade", "does-not-exist/ciupgrade"], stdout, stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Equal("error: --ciupgrade does-not-exist/ciupgrade does not exist: pass the ciupgrade binary (e.g. publish/ciupgrade from build/publish.sh) or omit the flag", stderr.ToString().Trim());
        Assert.Equal(string.Empty, stdout.ToString());
    }
}
