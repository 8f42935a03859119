using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Cli;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// One PipelineTask as it ran: status (Succeeded, Failed, or None when skipped or not reached), exit code, output, results;
/// for a Task of several steps, the step that failed (the ones after it did not run) and the args of the last step run.
/// </summary>
public sealed record TaskRunRecord(string Name, string Status, int? ExitCode, string[] Args, string Output, string Error, Dictionary<string, string> Results, string? FailedStep = null);

/// <summary>
/// A whole run: its name and uid ($(context.pipelineRun.*)), every task and finally task, the aggregate status, the
/// reason Tekton would give when it is not the tasks' own (InvalidTaskResultReference), and the pipeline results.
/// </summary>
public sealed record PipelineRunRecord(string Name, string Uid, IReadOnlyList<TaskRunRecord> Tasks, string Status, string? Reason, Dictionary<string, string> Results)
{
    public TaskRunRecord Task(string name) => Tasks.Single(t => t.Name == name);

    /// <summary>Every task's status, exit code and error line, for assertion messages.</summary>
    public string Describe() => $"run {Status} {Reason}\n" + string.Join("\n", Tasks.Select(t => $"{t.Name}: {t.Status} {t.ExitCode} {t.Error.Trim()}"));
}

/// <summary>
/// Executes a Pipeline from tekton/ the way the Tekton controller would, with ciupgrade in-process as each step:
/// parameter defaults and overrides, $(params.*), $(tasks.*.results.*), $(tasks.*.status), $(tasks.status),
/// $(workspaces.*.path), $(context.pipelineRun.name/uid), runAfter and result-reference ordering, `when` (in/notin),
/// no new task after a failure, then `finally`; a step with `onError: continue` does not fail its TaskRun.
/// Results as tektoncd/pipeline handles them (pkg/reconciler/pipelinerun/pipelinerun.go and resources/
/// pipelinerunresolution.go): pipeline results come only from successful TaskRuns (GetTaskRunsResults), also on a
/// failed run; a task referencing a result its successful producer did not write fails the run with
/// InvalidTaskResultReference before it is created (CheckMissingResultReferences) and nothing further runs; a
/// finally task whose result reference cannot be resolved is not executed. A task skipped for any reason but its own
/// `when` (an empty matrix array, a skipped parent) skips the tasks that run after it (skipBecauseParentTaskWasSkipped).
/// A Task's steps run in order, sharing /tekton/results; the first that fails without onError: continue fails the
/// TaskRun and the steps after it do not run. Each step's command must be ciupgrade and its args go to the CLI verbatim, so a renamed
/// flag or verb in the CLI breaks the run. The pod's service account is stood in for by --kubeconfig.
/// </summary>
public sealed partial class PipelineRunner(string kubeconfig, string workspace, IReadOnlyDictionary<string, string>? otherWorkspaces = null)
{
    private readonly Dictionary<string, List<string>> _arrays = new(StringComparer.Ordinal);

    public async Task<PipelineRunRecord> RunAsync(string pipelineName, IReadOnlyDictionary<string, string> runParams, CancellationToken ct)
    {
        // As the API server names a generateName run and the controller exposes it as $(context.pipelineRun.*).
        var runName = pipelineName + "-" + Guid.NewGuid().ToString("N")[..5];
        var context = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = runName, ["uid"] = Guid.NewGuid().ToString() };
        var pipeline = TektonFiles.Find("Pipeline", pipelineName);
        var spec = pipeline["spec"]!;
        var parameters = spec["params"]!.AsArray().Where(p => (string?)p!["type"] != "array").ToDictionary(p => (string)p!["name"]!, p => (string?)p!["default"] ?? string.Empty);
        _arrays.Clear();
        foreach (var p in spec["params"]!.AsArray().Where(p => (string?)p!["type"] == "array"))
        {
            _arrays[(string)p!["name"]!] = p["default"]?.AsArray().Select(v => (string)v!).ToList() ?? [];
        }

        foreach (var (key, value) in runParams)
        {
            Assert.True(parameters.ContainsKey(key) || _arrays.ContainsKey(key), $"PipelineRun param {key} is not declared by the pipeline");
            if (_arrays.ContainsKey(key))
            {
                // An array param is given as its JSON array.
                _arrays[key] = JsonNode.Parse(value)!.AsArray().Select(v => (string)v!).ToList();
            }
            else
            {
                parameters[key] = value;
            }
        }

        foreach (var declared in spec["workspaces"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            // Tekton refuses a PipelineRun that leaves a required workspace unbound.
            var ws = (string)declared["name"]!;
            Assert.True(ws == "reports" || otherWorkspaces?.ContainsKey(ws) == true || (bool?)declared["optional"] == true,
                $"pipeline {pipelineName} requires workspace {ws}, which this run does not bind");
        }

        foreach (var (key, value) in context)
        {
            parameters["context.pipelineRun." + key] = value;
        }

        var records = new Dictionary<string, TaskRunRecord>(StringComparer.Ordinal);
        var pending = spec["tasks"]!.AsArray().OfType<JsonObject>().ToList();
        // Tasks skipped for a reason other than their own `when`: their dependents are skipped too.
        var skippedOnward = new HashSet<string>(StringComparer.Ordinal);
        string? reason = null;
        while (pending.Count > 0)
        {
            var next = pending.FirstOrDefault(t => Dependencies(t).All(records.ContainsKey))
                ?? throw new InvalidOperationException("runAfter/result references form a cycle or name an unknown task");
            pending.Remove(next);
            var name = (string)next["name"]!;
            // Once a task fails the run is stopping: Tekton schedules no further task (only finally).
            var stopping = records.Values.Any(r => r.Status == "Failed");
            var missingResult = ResultDependencies(next).Any(d => records[d].Status != "Succeeded");
            if (!stopping && !missingResult && ResultReference().Matches(next.ToJsonString())
                    .FirstOrDefault(m => !records[m.Groups["task"].Value].Results.ContainsKey(m.Groups["result"].Value)) is { } unwritten)
            {
                // CheckMissingResultReferences: the producer succeeded (onError: continue) without writing it.
                reason = $"InvalidTaskResultReference: {unwritten.Value} (task {name})";
                pending.Add(next);
                break;
            }

            var parentSkipped = Dependencies(next).Any(skippedOnward.Contains);
            var runs = !stopping && !missingResult && !parentSkipped && WhenHolds(next, parameters, records, null);
            records[name] = runs
                ? await RunFannedOutAsync(next, parameters, records, null, ct)
                : new TaskRunRecord(name, "None", null, [], string.Empty, string.Empty, []);
            if (parentSkipped || (runs && records[name].Status == "None"))
            {
                // A skipped parent, or a matrix over an empty array (EmptyArrayInMatrixParams).
                skippedOnward.Add(name);
            }
        }

        foreach (var task in pending)
        {
            records[(string)task["name"]!] = new TaskRunRecord((string)task["name"]!, "None", null, [], string.Empty, string.Empty, []);
        }

        var aggregate = records.Values.Any(r => r.Status == "Failed") ? "Failed" : records.Values.Any(r => r.Status == "None") ? "Completed" : "Succeeded";
        foreach (var final in spec["finally"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var name = (string)final["name"]!;
            if (reason is not null)
            {
                // The run was marked failed before the DAG completed: no finally task is scheduled.
                records[name] = new TaskRunRecord(name, "None", null, [], string.Empty, string.Empty, []);
                continue;
            }

            var unresolved = ResultReference().Matches(final.ToJsonString())
                .Any(m => !records.TryGetValue(m.Groups["task"].Value, out var r) || r.Status != "Succeeded" || !r.Results.ContainsKey(m.Groups["result"].Value));
            records[name] = !unresolved && WhenHolds(final, parameters, records, aggregate)
                ? await RunFannedOutAsync(final, parameters, records, aggregate, ct)
                : new TaskRunRecord(name, "None", null, [], string.Empty, string.Empty, []);
        }

        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var result in spec["results"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var value = ((string)result["value"]!).Replace("$(finally.", "$(tasks.", StringComparison.Ordinal);
            var reference = ResultReference().Match(value);
            if (records.TryGetValue(reference.Groups["task"].Value, out var r) && r.Status == "Succeeded" && r.Results.ContainsKey(reference.Groups["result"].Value))
            {
                results[(string)result["name"]!] = Substitute(value, parameters, records, aggregate);
            }
        }

        var status = reason is not null || records.Values.Any(r => r.Status == "Failed") ? "Failed" : "Succeeded";
        return new PipelineRunRecord(runName, context["uid"], records.Values.ToList(), status, reason, results);
    }

    /// <summary>
    /// A PipelineTask with a matrix fans out as Tekton does (docs/matrix.md): one TaskRun per value of its one array
    /// param (`$(params.x[*])`), all run, none if the array is empty (the task is skipped); it failed if any failed. Each
    /// TaskRun is also recorded as NAME[i].
    /// </summary>
    private async Task<TaskRunRecord> RunFannedOutAsync(JsonObject pipelineTask, Dictionary<string, string> parameters,
        Dictionary<string, TaskRunRecord> records, string? aggregate, CancellationToken ct)
    {
        if (pipelineTask["matrix"] is not JsonObject matrix)
        {
            return await RunTaskAsync(pipelineTask, parameters, records, aggregate, ct);
        }

        var name = (string)pipelineTask["name"]!;
        var param = Assert.Single(matrix["params"]!.AsArray())!;
        var values = _arrays[WholeArray().Match((string)param["value"]!).Groups["name"].Value];
        var runs = new List<TaskRunRecord>();
        for (var i = 0; i < values.Count; i++)
        {
            var run = await RunTaskAsync(pipelineTask, parameters, records, aggregate, ct, ((string)param["name"]!, values[i]), $"{name}[{i}]");
            records[run.Name] = run;
            runs.Add(run);
        }

        var status = runs.Count == 0 ? "None" : runs.Any(r => r.Status == "Failed") ? "Failed" : "Succeeded";
        return new TaskRunRecord(name, status, runs.FirstOrDefault(r => r.Status == "Failed")?.ExitCode, [], string.Concat(runs.Select(r => r.Output)), string.Concat(runs.Select(r => r.Error)), []);
    }

    private async Task<TaskRunRecord> RunTaskAsync(JsonObject pipelineTask, Dictionary<string, string> parameters,
        Dictionary<string, TaskRunRecord> records, string? aggregate, CancellationToken ct, (string Name, string Value)? combination = null, string? runName = null)
    {
        var name = runName ?? (string)pipelineTask["name"]!;
        var task = TektonFiles.Find("Task", (string)pipelineTask["taskRef"]!["name"]!);
        var taskParams = task["spec"]!["params"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!["default"] is JsonValue d ? (string)d! : string.Empty);
        var taskArrays = task["spec"]!["params"]!.AsArray().Where(p => (string?)p!["type"] == "array")
            .ToDictionary(p => (string)p!["name"]!, p => p!["default"]?.AsArray().Select(v => (string)v!).ToList() ?? []);
        foreach (var p in pipelineTask["params"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var key = (string)p["name"]!;
            Assert.True(taskParams.ContainsKey(key), $"pipeline task {name} passes param {key} that task {task.Name()} does not declare");
            if (taskArrays.ContainsKey(key))
            {
                taskArrays[key] = _arrays[WholeArray().Match((string)p["value"]!).Groups["name"].Value];
                continue;
            }

            taskParams[key] = Substitute((string)p["value"]!, parameters, records, aggregate);
        }

        if (combination is { } c)
        {
            Assert.True(taskParams.ContainsKey(c.Name), $"matrix param {c.Name} is not declared by task {task.Name()}");
            taskParams[c.Name] = c.Value;
        }

        var resultsDir = Path.Combine(workspace, ".results", name);
        Directory.CreateDirectory(resultsDir);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int? code = null;
        string[] args = [];
        string? failedStep = null;
        foreach (var step in task["spec"]!["steps"]!.AsArray().OfType<JsonObject>())
        {
            Assert.Equal("""["ciupgrade"]""", step["command"]!.ToJsonString());
            args = step["args"]!.AsArray().SelectMany(a => WholeArray().Match((string)a!) is { Success: true } whole
                ? taskArrays[whole.Groups["name"].Value] : [(string)a!]).Select(a => TaskVariable().Replace(a, m => m.Groups["kind"].Value switch
            {
                "params" => taskParams[m.Groups["name"].Value],
                "workspaces" => WorkspacePath(pipelineTask, m.Groups["name"].Value),
                _ => throw new InvalidOperationException($"unresolved {m.Value} in task {task.Name()}"),
            }).Replace("/tekton/results", resultsDir, StringComparison.Ordinal)).ToArray();

            // The pod's service account, for the verbs that talk to the cluster (gate and report do not) and reach no
            // target cluster through a bound target workspace.
            string[] credentials = args[0] is "gate" or "report" || UsesTargetKubeconfig(args) ? [] : ["--kubeconfig", kubeconfig];
            code = await CliApp.RunAsync([.. args, .. credentials], stdout, stderr, ct);
            // onError: continue records the exit code in the step's terminated state and lets the TaskRun go on and succeed.
            if (code != 0 && (string?)step["onError"] != "continue")
            {
                failedStep = (string)step["name"]!;
                break;
            }
        }

        var results = (task["spec"]!["results"]?.AsArray().OfType<JsonObject>() ?? [])
            .Select(r => (string)r["name"]!)
            .Where(r => File.Exists(Path.Combine(resultsDir, r)))
            .ToDictionary(r => r, r => File.ReadAllText(Path.Combine(resultsDir, r)), StringComparer.Ordinal);
        return new TaskRunRecord(name, failedStep is null ? "Succeeded" : "Failed", code, args, stdout.ToString(), stderr.ToString(), results, failedStep);
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

    /// <summary>Whether ciupgrade reads its kubeconfig from --kubeconfig-dir (a bound target workspace) rather than the pod's.</summary>
    private static bool UsesTargetKubeconfig(string[] args)
    {
        string Flag(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : string.Empty;
        return Flag("--kubeconfig-dir").Length > 0 && (Flag("--target") is not { Length: > 0 } entry || TargetEntry.Parse(entry).Secret is not null);
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
                ["context", "pipelineRun", var c] => parameters["context.pipelineRun." + c],
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

    [GeneratedRegex(@"^\$\(params\.(?<name>[a-z0-9\-]+)\[\*\]\)$")]
    private static partial Regex WholeArray();

    [GeneratedRegex(@"\$\((?<path>[A-Za-z0-9_.\-]+)\)")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\$\((?<kind>params|workspaces)\.(?<name>[a-z0-9_\-]+)(\.path)?\)")]
    private static partial Regex TaskVariable();

    [GeneratedRegex(@"\$\(tasks\.(?<task>[a-z0-9\-]+)\.results\.(?<result>[a-z0-9\-]+)\)")]
    private static partial Regex ResultReference();

    [GeneratedRegex(@"\$\(tasks\.(?<task>[a-z0-9\-]+)\.(results|status)")]
    private static partial Regex TaskReference();
}
