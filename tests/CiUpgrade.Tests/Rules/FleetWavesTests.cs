using CiUpgrade.Cli;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Rules;

public sealed class FleetWavesTests
{
    private static FleetInstall Report(string name, bool passed) =>
        new(name, "3scale", "2026-12-05T04:00:00", [new FleetCheck("system-app", passed ? CheckOutcome.Passed : CheckOutcome.Failed, passed ? "ok" : "runs the 2.6 image")]);

    [Fact]
    public void Each_wave_opens_with_its_status_and_an_empty_wave_adds_no_install()
    {
        var waves = FleetWaves.Parse(["wave-1=Failed", "a:s-a:3scale", "b:s-b:3scale", "wave-2=None", "wave-3=None", "c::3scale", ""]);

        Assert.Equal(["wave-1", "wave-2", "wave-3"], waves.Select(w => w.Wave));
        Assert.Equal(["Failed", "None", "None"], waves.Select(w => w.Status));
        Assert.Equal([2, 0, 1], waves.Select(w => w.Entries.Count));
    }

    [Theory]
    [InlineData("a:s:3scale", "--waves starts with the install \"a:s:3scale\"")]
    [InlineData("wave-1=Running", "--waves \"wave-1=Running\" is not WAVE=STATUS")]
    [InlineData("=Succeeded", "--waves \"=Succeeded\" is not WAVE=STATUS")]
    public void A_malformed_wave_is_bad_input_naming_it(string token, string message)
    {
        var e = Assert.Throws<UpgradeException>(() => FleetWaves.Parse([token]));

        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wave_named_twice_is_bad_input() =>
        Assert.Equal(ExitCode.BadInput, Assert.Throws<UpgradeException>(() => FleetWaves.Parse(["w=None", "w=None"])).ExitCode);

    [Fact]
    public void Without_a_report_an_install_failed_before_verify_when_its_wave_ran_and_was_not_started_when_it_did_not()
    {
        FleetWave[] waves = [new("wave-1", "Failed", ["a", "b", "c"]), new("wave-2", FleetWaves.NotRun, ["d", "e"])];
        // e's report is an earlier run's: its wave never ran in this one, so it says nothing.
        var reported = new Dictionary<string, FleetInstall> { ["a"] = Report("a", true), ["b"] = Report("b", false), ["e"] = Report("e", true), ["x"] = Report("x", true) };

        var installs = FleetReport.Assemble(waves, reported);

        Assert.Equal(["a", "b", "c", "d", "e"], installs.Select(i => i.Name));
        Assert.Equal(["wave-1", "wave-1", "wave-1", "wave-2", "wave-2"], installs.Select(i => i.Wave));
        Assert.Equal([false, true, true, true, true], installs.Select(i => i.Drifted));
        Assert.StartsWith("failed before verify (wave-1 ran)", installs[2].Missing, StringComparison.Ordinal);
        Assert.All(installs.Skip(3), i => Assert.StartsWith("not started: wave-2 never ran", i.Missing, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_refuses_targets_and_waves_together_and_names_what_is_not_upgraded()
    {
        var dir = Directory.CreateTempSubdirectory("ciupgrade-waves-").FullName;
        try
        {
            var both = await Run(dir, "--targets", "a", "--waves", "wave-1=Succeeded", "a");
            Assert.Equal(2, both.Code);
            Assert.Contains("--targets and --waves both given", both.Error, StringComparison.Ordinal);

            var fleet = await Run(dir, "--waves", "wave-1=Failed", "a:s:3scale", "wave-2=None", "b:s:3scale");
            Assert.Equal(1, fleet.Code);
            Assert.Contains("2 installs in 2 waves, 2 not upgraded: a (wave-1) failed; b not started", fleet.Output, StringComparison.Ordinal);
            Assert.Contains("id=\"install-b\"", File.ReadAllText(Path.Combine(dir, "fleet.html")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(int Code, string Output, string Error)> Run(string dir, params string[] flags)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["report", "--junit-dir", Path.Combine(dir, "upgrade"), "--junit", Path.Combine(dir, "fleet.xml"), "--html", Path.Combine(dir, "fleet.html"), .. flags],
            stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
