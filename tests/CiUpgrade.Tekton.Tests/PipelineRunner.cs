using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Cli;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Tekton.Tests;

/// <summary>One PipelineTask as it ran: status (Succeeded, Failed, or None when skipped or not reached), exit code, output, results.</summary>
public sealed record TaskRunRecord(string Name, string Status, int? ExitCode, string[] Args, string Output, string Error, Dictionary<string, string> Results);

/// <summary>A whole run: every task and finally task, the aggregate status and the pipeline results.</summary>
public sealed record PipelineRunRecord(IReadOnlyList<TaskRunRecord> Tasks, string Status, Dictionary<string, string> Results)
{
    public TaskRunRecord Task(string name) => Tasks.Single(t => t.Name == name);
}

/// <summary>
/// Executes a Pipeline from tekton/ the way the Tekton controller would, with ciupgrade in-process as each step:
/// parameter defaults and overrides, $(params.*), $(tasks.*.results.*), $(tasks.*.status), $(tasks.status),
/// $(workspaces.*.path), runAfter and result-reference ordering, `when` (in/notin), no new task after a failure,
/// then `finally`. Each step's command must be ciupgrade and its args go to the CLI verbatim, so a renamed
/// flag or verb in the CLI breaks the run. The pod's service account is stood in for by --kubeconfig.
/// </summary>
public sealed partial class PipelineRunner(string kubeconfig, string workspace, IReadOnlyDictionary<string, string>? otherWorkspaces = null)
{
    public async Task<PipelineRunRecord> RunAsync(string pipelineName, IReadOnlyDictionary<string, string> runParams, CancellationToken ct)
    {
        var pipeline = TektonFiles.Find("Pipeline", pipelineName);
        var spec = pipeline["spec"]!;
        var parameters = spec["params"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string?)p!["default"] ?? string.Empty);
        foreach (var (key, value) in runParams)
        {
            Assert.True(parameters.ContainsKey(key), $"PipelineRun param {key} is not declared by the pipeline");
            parameters[key] = value;
        }

        var records = new Dictionary<string, TaskRunRecord>(StringComparer.Ordinal);
        var pending = spec["tasks"]!.AsArray().OfType<JsonObject>().ToList();
        while (pending.Count > 0)
        {
            var next = pending.FirstOrDefault(t => Dependencies(t).All(records.ContainsKey))
                ?? throw new InvalidOperationException("runAfter/result references form a cycle or name an unknown task");
            pending.Remove(next);
            var name = (string)next["name"]!;
            // Once a task fails the run is stopping: Tekton schedules no further task (only finally).
            var stopping = records.Values.Any(r => r.Status == "Failed");
            var missingResult = ResultDependencies(next).Any(d => records[d].Status != "Succeeded");
            records[name] = stopping || missingResult || !WhenHolds(next, parameters, records, null)
                ? new TaskRunRecord(name, "None", null, [], string.Empty, string.Empty, [])
                : await RunTaskAsync(next, parameters, records, null, ct);
        }

        var aggregate = records.Values.Any(r => r.Status == "Failed") ? "Failed" : records.Values.Any(r => r.Status == "None") ? "Completed" : "Succeeded";
        foreach (var final in spec["finally"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var name = (string)final["name"]!;
            records[name] = WhenHolds(final, parameters, records, aggregate)
                ? await RunTaskAsync(final, parameters, records, aggregate, ct)
                : new TaskRunRecord(name, "None", null, [], string.Empty, string.Empty, []);
        }

        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var result in spec["results"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var value = (string)result["value"]!;
            var producer = TaskReference().Match(value).Groups["task"].Value;
            if (records.TryGetValue(producer, out var r) && r.Status == "Succeeded")
            {
                results[(string)result["name"]!] = Substitute(value, parameters, records, aggregate);
            }
        }

        var status = records.Values.Any(r => r.Status == "Failed") ? "Failed" : "Succeeded";
        return new PipelineRunRecord(records.Values.ToList(), status, results);
    }

    private async Task<TaskRunRecord> RunTaskAsync(JsonObject pipelineTask, Dictionary<string, string> parameters,
        Dictionary<string, TaskRunRecord> records, string? aggregate, CancellationToken ct)
    {
        var name = (string)pipelineTask["name"]!;
        var task = TektonFiles.Find("Task", (string)pipelineTask["taskRef"]!["name"]!);
        var taskParams = task["spec"]!["params"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string?)p!["default"] ?? string.Empty);
        foreach (var p in pipelineTask["params"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var key = (string)p["name"]!;
            Assert.True(taskParams.ContainsKey(key), $"pipeline task {name} passes param {key} that task {task.Name()} does not declare");
            taskParams[key] = Substitute((string)p["value"]!, parameters, records, aggregate);
        }

        var resultsDir = Path.Combine(workspace, ".results", name);
        Directory.CreateDirectory(resultsDir);
        var step = task["spec"]!["steps"]![0]!;
        Assert.Equal("""["ciupgrade"]""", step["command"]!.ToJsonString());
        var args = step["args"]!.AsArray().Select(a => TaskVariable().Replace((string)a!, m => m.Groups["kind"].Value switch
        {
            "params" => taskParams[m.Groups["name"].Value],
            "workspaces" => WorkspacePath(pipelineTask, m.Groups["name"].Value),
            _ => throw new InvalidOperationException($"unresolved {m.Value} in task {task.Name()}"),
        }).Replace("/tekton/results", resultsDir, StringComparison.Ordinal)).ToArray();

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--kubeconfig", kubeconfig], stdout, stderr, ct);
        var results = (task["spec"]!["results"]?.AsArray().OfType<JsonObject>() ?? [])
            .Select(r => (string)r["name"]!)
            .Where(r => File.Exists(Path.Combine(resultsDir, r)))
            .ToDictionary(r => r, r => File.ReadAllText(Path.Combine(resultsDir, r)), StringComparer.Ordinal);
        return new TaskRunRecord(name, code == 0 ? "Succeeded" : "Failed", code, args, stdout.ToString(), stderr.ToString(), results);
    }

    /// <summary>
    /// A task workspace's path: the pipeline workspace it is bound to ("reports" is the run's main directory, others
    /// as the run binds them); an optional workspace left unbound has an empty path, as in Tekton.
    /// </summary>
    private string WorkspacePath(JsonObject pipelineTask, string taskWorkspace)
    {
        var binding = pipelineTask["workspaces"]?.AsArray().OfType<JsonObject>().FirstOrDefault(w => (string?)w["name"] == taskWorkspace);
        var pipelineWorkspace = (string?)binding?["workspace"];
        return pipelineWorkspace switch
        {
            null => string.Empty,
            "reports" => workspace,
            _ => otherWorkspaces?.GetValueOrDefault(pipelineWorkspace) ?? string.Empty,
        };
    }

    private static bool WhenHolds(JsonObject pipelineTask, Dictionary<string, string> parameters, Dictionary<string, TaskRunRecord> records, string? aggregate)
    {
        foreach (var clause in pipelineTask["when"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var input = (string)clause["input"]!;
            if (ResultReference().Match(input) is { Success: true } m && (!records.TryGetValue(m.Groups["task"].Value, out var r) || !r.Results.ContainsKey(m.Groups["result"].Value)))
            {
                return false; // a missing result skips the task, as Tekton does
            }

            var value = Substitute(input, parameters, records, aggregate);
            var values = clause["values"]!.AsArray().Select(v => Substitute((string)v!, parameters, records, aggregate)).ToList();
            var holds = (string?)clause["operator"] switch
            {
                "in" => values.Contains(value),
                "notin" => !values.Contains(value),
                var op => throw new InvalidOperationException($"unknown when operator {op}"),
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    private static string Substitute(string text, Dictionary<string, string> parameters, Dictionary<string, TaskRunRecord> records, string? aggregate) =>
        Variable().Replace(text, m =>
        {
            var parts = m.Groups["path"].Value.Split('.');
            return parts switch
            {
                ["params", var p] => parameters[p],
                ["tasks", "status"] => aggregate ?? throw new InvalidOperationException("$(tasks.status) outside finally"),
                ["tasks", var t, "status"] => records.TryGetValue(t, out var r) ? r.Status : "None",
                ["tasks", var t, "results", var res] => records[t].Results[res],
                _ => throw new InvalidOperationException($"unresolved variable {m.Value}"),
            };
        });

    private static IEnumerable<string> Dependencies(JsonObject pipelineTask) =>
        (pipelineTask["runAfter"]?.AsArray().Select(n => (string)n!) ?? []).Concat(ResultDependencies(pipelineTask)).Distinct();

    private static IReadOnlyList<string> ResultDependencies(JsonObject pipelineTask) =>
        TaskReference().Matches(pipelineTask.ToJsonString()).Select(m => m.Groups["task"].Value)
            .Where(t => t != "status").Distinct().ToList();

    [GeneratedRegex(@"\$\((?<path>[a-z0-9_.\-]+)\)")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\$\((?<kind>params|workspaces)\.(?<name>[a-z0-9_\-]+)(\.path)?\)")]
    private static partial Regex TaskVariable();

    [GeneratedRegex(@"\$\(tasks\.(?<task>[a-z0-9\-]+)\.results\.(?<result>[a-z0-9\-]+)\)")]
    private static partial Regex ResultReference();

    [GeneratedRegex(@"\$\(tasks\.(?<task>[a-z0-9\-]+)\.(results|status)")]
    private static partial Regex TaskReference();
}
