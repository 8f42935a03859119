using System.Text.Json.Nodes;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// The fleet upgrade runs exactly what the single-install upgrade runs: ciupgrade-upgrade-install's steps are the steps
/// of 3scale-upgrade's tasks up to verify, in that order, with the same args; the waves follow one another.
/// </summary>
public sealed class FleetUpgradeContractTests
{
    private static JsonObject Step(JsonObject task) => Assert.Single(task["spec"]!["steps"]!.AsArray())!.AsObject();

    [Fact]
    public void The_install_chain_is_3scale_upgrades_tasks_up_to_verify_with_the_same_steps()
    {
        var upgrade = TektonFiles.Find("Pipeline", "3scale-upgrade")["spec"]!["tasks"]!.AsArray().OfType<JsonObject>()
            .Select(t => (string)t["taskRef"]!["name"]!).TakeWhile(t => t != "ciupgrade-gate").ToList();
        var chain = TektonFiles.Find("Task", "ciupgrade-upgrade-install")["spec"]!["steps"]!.AsArray().OfType<JsonObject>().ToList();

        Assert.Equal(upgrade, chain.Select(s => "ciupgrade-" + (string)s["name"]!));
        foreach (var step in chain)
        {
            var single = Step(TektonFiles.Find("Task", "ciupgrade-" + (string)step["name"]!)).DeepClone().AsObject();
            var mine = step.DeepClone().AsObject();
            // verify's exit code is the gate here: a failed check fails the TaskRun (and the wave).
            Assert.Null(mine["onError"]);
            single.Remove("onError");
            // The memory limit is the stage's; requests may be smaller, as the pod's are the sum of its steps'.
            Assert.Equal(single["computeResources"]!["limits"]!.ToJsonString(), mine["computeResources"]!["limits"]!.ToJsonString());
            single.Remove("computeResources");
            mine.Remove("computeResources");
            Assert.True(JsonNode.DeepEquals(single, mine), $"step {step["name"]} differs from its stage Task's:\n{mine.ToJsonString()}\n{single.ToJsonString()}");
        }

        // Every param the steps use is declared (the stage Tasks' names).
        var declared = TektonFiles.Find("Task", "ciupgrade-upgrade-install")["spec"]!["params"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!);
        Assert.All(chain.SelectMany(s => s["args"]!.AsArray().Select(a => (string)a!)).SelectMany(a => System.Text.RegularExpressions.Regex.Matches(a, @"\$\(params\.([a-z-]+)\)")),
            m => Assert.True(declared.ContainsKey(m.Groups[1].Value), $"ciupgrade-upgrade-install does not declare param {m.Groups[1].Value}"));
    }

    [Fact]
    public void Each_wave_runs_after_the_one_before_and_the_report_sees_every_wave_and_its_status()
    {
        var spec = TektonFiles.Find("Pipeline", "3scale-fleet-upgrade")["spec"]!;
        var waves = spec["tasks"]!.AsArray().OfType<JsonObject>().ToList();
        var report = spec["finally"]!.AsArray().OfType<JsonObject>().Single(t => (string?)t["name"] == "report");
        var reportParams = report["params"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string)p!["value"]!);

        Assert.Equal(PipelineRunChecks.Waves(), waves.Count);
        for (var i = 0; i < waves.Count; i++)
        {
            var name = $"wave-{i + 1}";
            Assert.Equal(name, (string?)waves[i]["name"]);
            Assert.Equal("ciupgrade-upgrade-install", (string?)waves[i]["taskRef"]!["name"]);
            Assert.Equal($"$(params.{name}[*])", (string?)waves[i]["matrix"]!["params"]![0]!["value"]);
            Assert.Equal(i == 0 ? null : $"[\"wave-{i}\"]", waves[i]["runAfter"]?.ToJsonString());
            // Every wave is given the same params; only its installs differ.
            Assert.Equal(waves[0]["params"]!.ToJsonString(), waves[i]["params"]!.ToJsonString());
            Assert.Equal(($"$(params.{name}[*])", $"$(tasks.{name}.status)"), (reportParams[name], reportParams[name + "-status"]));
        }

        Assert.Contains(waves[0]["params"]!.AsArray(), p => (string?)p!["name"] == "run-id" && (string?)p["value"] == "$(context.pipelineRun.uid)");
    }
}
