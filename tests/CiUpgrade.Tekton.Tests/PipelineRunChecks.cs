using System.Text.Json.Nodes;
using CiUpgrade.Cli;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// What every PipelineRun the project creates (TriggerTemplate, CronJob, README examples) must get right for
/// Tekton to run it as intended: a Pipeline that exists, only params it declares, every required workspace bound,
/// and timeouts derived from the rollout timeout and the number of waits (Tekton's default is 60 minutes).
/// </summary>
public static class PipelineRunChecks
{
    /// <summary>Time outside waits: pod starts of every task, preflight's checks, backup, verify, gate.</summary>
    public static readonly TimeSpan TaskOverhead = TimeSpan.FromMinutes(30);

    /// <summary>Margin on top of the one rollout wait of the finally rollback (junit-report runs beside it).</summary>
    public static readonly TimeSpan FinallyOverhead = TimeSpan.FromMinutes(10);

    public static void AssertBindsEveryRequiredWorkspaceAndDeclaredParams(JsonObject run)
    {
        var pipeline = TektonFiles.Find("Pipeline", (string)run["spec"]!["pipelineRef"]!["name"]!)["spec"]!;
        var declared = pipeline["params"]!.AsArray().Select(p => (string)p!["name"]!).ToHashSet();
        Assert.All(run["spec"]!["params"]?.AsArray() ?? [], p => Assert.Contains((string)p!["name"]!, declared));
        var bound = (run["spec"]!["workspaces"]?.AsArray() ?? []).Select(w => (string)w!["name"]!).ToHashSet();
        Assert.All(pipeline["workspaces"]!.AsArray().Where(w => (bool?)w!["optional"] != true), w => Assert.Contains((string)w!["name"]!, bound));
        // Least privilege (review N9): a drift check runs as the read-only account (tekton/target/), an upgrade as ciupgrade.
        var account = (string?)run["spec"]!["pipelineRef"]!["name"] == "3scale-drift-check" ? "ciupgrade-read" : "ciupgrade";
        Assert.Equal(account, (string?)run["spec"]!["taskRunTemplate"]!["serviceAccountName"]);
    }

    /// <summary>
    /// The waits a run of <paramref name="pipelineName"/> can make, each up to the rollout timeout: for the upgrade,
    /// per image stream of the plan one import and one rollout wait (patch-imagestreams), the Oracle system build,
    /// set-release's rollout, and update-prehook's hook pod when the pipeline has that task; none for the drift check.
    /// </summary>
    public static int Waits(string pipelineName)
    {
        if (pipelineName == "3scale-fleet-upgrade")
        {
            // The waves run one after another, each install's chain those of one upgrade (the installs of a wave at once).
            return Waves() * Waits("3scale-upgrade");
        }

        if (pipelineName != "3scale-upgrade")
        {
            return 0;
        }

        var tasks = TektonFiles.Find("Pipeline", pipelineName)["spec"]!["tasks"]!.AsArray().Select(t => (string)t!["name"]!).ToList();
        return (2 * CiUpgrade.Plans.PlanLoader.LoadEmbedded().ImageStreams.Count) + 1 + 1 + (tasks.Contains("update-prehook") ? 1 : 0);
    }

    /// <summary>The fleet upgrade's waves: its matrixed tasks.</summary>
    public static int Waves() =>
        TektonFiles.Find("Pipeline", "3scale-fleet-upgrade")["spec"]!["tasks"]!.AsArray().Count(t => t!["matrix"] is not null);

    public static void AssertTimeouts(JsonObject run)
    {
        var pipelineName = (string)run["spec"]!["pipelineRef"]!["name"]!;
        var pipeline = TektonFiles.Find("Pipeline", pipelineName)["spec"]!;
        var rolloutTimeoutText = (string?)run["spec"]!["params"]?.AsArray().FirstOrDefault(p => (string?)p!["name"] == "rollout-timeout")?["value"]
            ?? (string?)pipeline["params"]!.AsArray().FirstOrDefault(p => (string?)p!["name"] == "rollout-timeout")?["default"];
        var rolloutTimeout = rolloutTimeoutText is null ? TimeSpan.Zero : Durations.Parse(rolloutTimeoutText);
        var timeouts = run["spec"]!["timeouts"] ?? throw new Xunit.Sdk.XunitException($"PipelineRun of {pipelineName} sets no timeouts: Tekton's 60 minute default would apply");
        var total = GoDuration((string)timeouts["pipeline"]!);
        var @finally = GoDuration((string)timeouts["finally"]!);
        var hasRollback = pipeline["finally"]?.AsArray().Any(f => (string?)f!["name"] == "rollback") == true;

        Assert.True(@finally >= (hasRollback ? rolloutTimeout : TimeSpan.Zero) + (hasRollback ? FinallyOverhead : TimeSpan.FromMinutes(5)),
            $"{pipelineName}: timeouts.finally {@finally} leaves the rollback less than one rollout wait");
        var overhead = pipelineName switch
        {
            "3scale-upgrade" => TaskOverhead,
            "3scale-fleet-upgrade" => Waves() * TaskOverhead,
            _ => TimeSpan.FromMinutes(20),
        };
        Assert.True(total - @finally >= (Waits(pipelineName) * rolloutTimeout) + overhead,
            $"{pipelineName}: timeouts.pipeline {total} - finally {@finally} is less than {Waits(pipelineName)} waits of {rolloutTimeout} plus overhead");
    }

    /// <summary>The Go duration strings Tekton accepts here (e.g. 12h40m, 40m, 90s).</summary>
    public static TimeSpan GoDuration(string text) => Durations.Parse(text);
}
