using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Tekton.Tests;

/// <summary>Every PipelineRun the project creates: the TriggerTemplate's, the drift CronJob's, and the example runs.</summary>
public sealed class PipelineRunTests
{
    public static TheoryData<string> Runs() => new(Created().Keys);

    /// <summary>Each PipelineRun by where it comes from.</summary>
    private static Dictionary<string, JsonObject> Created()
    {
        var runs = new Dictionary<string, JsonObject>(StringComparer.Ordinal)
        {
            ["TriggerTemplate 3scale-upgrade"] = TektonFiles.Find("TriggerTemplate", "3scale-upgrade")["spec"]!["resourcetemplates"]![0]!.AsObject(),
            ["TriggerTemplate 3scale-upgrade-target"] = TektonFiles.Find("TriggerTemplate", "3scale-upgrade-target")["spec"]!["resourcetemplates"]![0]!.AsObject(),
        };
        var cronJobRun = TektonFiles.Documents().Select(d => d.Doc).Single(d => (string?)d["kind"] == "ConfigMap" && d.Name() == "3scale-drift-check-run");
        runs["CronJob 3scale-drift-check"] = YamlJson.ParseAll((string)cronJobRun["data"]!["pipelinerun.yaml"]!).OfType<JsonObject>().Single();
        foreach (var (file, doc) in TektonFiles.Documents().Where(d => (string?)d.Doc["kind"] == "PipelineRun"))
        {
            runs[file] = doc;
        }

        return runs;
    }

    [Fact]
    public void The_readme_example_run_is_shipped_and_checked()
    {
        Assert.Contains(Created().Keys, k => k.StartsWith("runs", StringComparison.Ordinal));
        Assert.Contains("oc create -f tekton/runs/3scale-upgrade.yaml", File.ReadAllText(Path.Combine(TektonFiles.Root, "README.md")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Every_pipelinerun_sets_timeouts_derived_from_the_rollout_timeout_and_the_waits(string source) =>
        PipelineRunChecks.AssertTimeouts(Created()[source]);

    [Theory]
    [MemberData(nameof(Runs))]
    public void Every_pipelinerun_is_valid_and_binds_what_its_pipeline_needs(string source)
    {
        var run = Created()[source];

        Assert.Empty(SchemaValidator.Validate(run, TektonFiles.Schema("tekton.dev", "PipelineRun", "v1")!));
        PipelineRunChecks.AssertBindsEveryRequiredWorkspaceAndDeclaredParams(run);
        // Backups outlive the run: the upgrade binds the persistent claim, never a per-run volumeClaimTemplate.
        if ((string?)run["spec"]!["pipelineRef"]!["name"] == "3scale-upgrade")
        {
            var backups = run["spec"]!["workspaces"]!.AsArray().Single(w => (string?)w!["name"] == "backups")!;
            Assert.Equal("ciupgrade-backups", (string?)backups["persistentVolumeClaim"]?["claimName"]);
        }
    }

    [Fact]
    public void The_waits_come_from_the_plan_and_the_pipeline()
    {
        // 10 image streams (an import and a rollout wait each), the Oracle build, set-release's rollout.
        Assert.Equal(22 + (TektonFiles.Find("Pipeline", "3scale-upgrade")["spec"]!["tasks"]!.AsArray().Any(t => (string?)t!["name"] == "update-prehook") ? 1 : 0),
            PipelineRunChecks.Waits("3scale-upgrade"));
        Assert.Equal(0, PipelineRunChecks.Waits("3scale-drift-check"));
        Assert.Equal(3 * PipelineRunChecks.Waits("3scale-upgrade"), PipelineRunChecks.Waits("3scale-fleet-upgrade"));
    }
}
