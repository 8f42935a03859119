using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using static CiUpgrade.Simulator.Controllers.DeploymentAnnotations;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>Where a rollout's pre hook stands.</summary>
internal enum HookProgress
{
    /// <summary>No pre hook, or it succeeded (or failed under failurePolicy Ignore): the strategy may scale.</summary>
    Done,

    /// <summary>The hook pod is being created, runs, or waits to be restarted.</summary>
    Running,

    /// <summary>The hook failed under Abort (or Retry, at the deadline): the rollout fails.</summary>
    Aborted,
}

/// <summary>
/// The deployer's pre lifecycle hook (openshift/origin pkg/apps/strategy/support/lifecycle.go, hookExecutor):
/// before the Rolling or Recreate strategy scales anything, an execNewPod hook runs as pod `&lt;rc&gt;-hook-pre`
/// (labels openshift.io/deployer-pod.type=hook-pre and openshift.io/deployer-pod-for.name=&lt;rc&gt;, annotation
/// openshift.io/deployment.name) with one container "lifecycle": the image of the RC template's container named by
/// containerName, the hook's command, the container's env overlaid by the hook's plus OPENSHIFT_DEPLOYMENT_NAME/
/// NAMESPACE, and the named volumes with their mounts. failurePolicy Retry sets restartPolicy OnFailure (the kubelet
/// restarts the container, the pod fails only at its active deadline); Abort and Retry failures abort the rollout,
/// Ignore lets it go on. The simulated container "runs" the rake tasks of a `bash -c` command: they fail when a
/// fault knob says so, or when the image lacks a task (the 2.7 migration tasks do not exist in 2.6 system images).
/// </summary>
internal sealed class PreHookRunner(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, HookRuns runs, PodLogs logs, Containers.Workloads? workloads = null)
{
    public const string Suffix = "hook-pre";
    public const string PodTypeLabel = "openshift.io/deployer-pod.type";
    private const string ContainerName = "lifecycle";

    /// <summary>Rake tasks that the 3scale 2.6 system image does not have (added for the 2.7 data migration).</summary>
    private static readonly string[] TasksNewIn27 = ["services:create_backend_apis", "services:update_metric_owners", "proxy:update_proxy_rule_owners"];

    /// <summary>When each restarting hook container last failed (precise; status times have whole seconds).</summary>
    private readonly Dictionary<string, DateTimeOffset> _failedAt = new(StringComparer.Ordinal);

    /// <summary>Moves the hook of <paramref name="rc"/> one step; <paramref name="changed"/> says whether it wrote anything.</summary>
    public HookProgress Step(JsonObject rc, DateTimeOffset now, bool deadlinePassed, out bool changed)
    {
        changed = false;
        var strategy = JsonNode.Parse(rc.Annotation(EncodedConfig) ?? "{}")?["spec"]?["strategy"] as JsonObject;
        var parameters = strategy.Str("type") == "Recreate" ? strategy?["recreateParams"] : strategy?["rollingParams"];
        if (parameters?["pre"] is not JsonObject hook || hook["execNewPod"] is not JsonObject exec)
        {
            return HookProgress.Done;
        }

        var ns = rc.Namespace();
        var name = rc.Name() + "-" + Suffix;
        var policy = hook.Str("failurePolicy") ?? "Abort";
        var pod = registry.Store.Get("pods", ns, name);
        if (pod is null)
        {
            registry.Create("pods", ns, MakeHookPod(rc, exec, strategy!, policy, name, now));
            changed = true;
            return HookProgress.Running;
        }

        var container = pod["status"]?["containerStatuses"].Objects().FirstOrDefault() ?? [];
        var phase = pod["status"].Str("phase");
        var running = container["state"]?["running"] is not null;
        var waiting = container["state"]?["waiting"] is not null;
        if (phase == "Succeeded")
        {
            return HookProgress.Done;
        }

        if (phase == "Failed")
        {
            return policy == "Ignore" ? HookProgress.Done : HookProgress.Aborted;
        }

        changed = true;
        if ((phase == "Running" && running) || phase == "Pending")
        {
            // The container starts and runs to its end within one step (its phases in between change nothing here).
            return Execute(rc, pod, policy, now);
        }

        if (deadlinePassed)
        {
            // activeDeadlineSeconds: the kubelet kills a hook pod still pending or restarting at the deadline.
            SetStatus(pod, status =>
            {
                status["phase"] = "Failed";
                status["reason"] = "DeadlineExceeded";
                status["message"] = "Pod was active on the node longer than the specified deadline";
            });
            return HookProgress.Running;
        }

        if (phase == "Running" && waiting && !BackoffOver(pod, container, now))
        {
            changed = false;
            return HookProgress.Running;
        }

        // Restarting after the back-off: the container runs again at the next step.
        SetStatus(pod, status =>
        {
            status["phase"] = "Running";
            var cs = status["containerStatuses"]![0]!.AsObject();
            cs["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Time(now) } };
        });
        return HookProgress.Running;
    }

    /// <summary>CrashLoopBackOff: each restart waits longer (the kubelet doubles from 10 s; here PodReadyDelay × restarts).</summary>
    private bool BackoffOver(JsonObject pod, JsonObject container, DateTimeOffset now) =>
        !_failedAt.TryGetValue(pod.Namespace() + "/" + pod.Name(), out var failed)
        || now - failed >= timing.PodReadyDelay * Math.Max(1, container.Long("restartCount"));

    /// <summary>The container runs to its end: success, a failure the kubelet restarts (Retry), or a failed pod.</summary>
    private HookProgress Execute(JsonObject rc, JsonObject pod, string policy, DateTimeOffset now)
    {
        var ns = rc.Namespace();
        var spec = pod["spec"]!["containers"]![0]!;
        var image = spec.Str("image") ?? string.Empty;
        var command = (spec["command"] as JsonArray)?.Select(c => c?.GetValue<string>() ?? string.Empty).ToList() ?? [];
        var tasks = RakeTasks(command);
        var failure = faults.HookFailureFor(ns, rc.Annotation(ConfigName) ?? string.Empty) ?? MissingTask(image, tasks);
        var exitCode = failure?.ExitCode ?? 0;
        runs.Record(new HookRun(ns, rc.Annotation(ConfigName) ?? string.Empty, rc.Name(), pod.Name(), image, command, exitCode));
        if (failure?.ExitCode is not 127 && MissingTask(image, tasks) is null)
        {
            // The tasks ran against the databases (a fault knob's failure comes after `openshift:deploy`, as its log says).
            workloads?.RakeTasksRan(ns, image, tasks, exitCode != 0);
        }
        logs.Set(ns, pod.Name(), failure?.Log ?? tasks.Select(t => $"rake {t}: done").ToList());
        var terminated = new JsonObject
        {
            ["exitCode"] = exitCode,
            ["reason"] = exitCode == 0 ? "Completed" : "Error",
            ["startedAt"] = pod["status"]?["containerStatuses"]?[0]?["state"]?["running"].Str("startedAt") ?? Time(now),
            ["finishedAt"] = Time(now),
        };
        SetStatus(pod, status =>
        {
            var cs = status["containerStatuses"]![0]!.AsObject();
            if (exitCode != 0 && pod["spec"].Str("restartPolicy") == "OnFailure")
            {
                status["phase"] = "Running";
                cs["restartCount"] = cs.Long("restartCount") + 1;
                _failedAt[ns + "/" + pod.Name()] = now;
                cs["lastState"] = new JsonObject { ["terminated"] = terminated };
                cs["state"] = new JsonObject
                {
                    ["waiting"] = new JsonObject
                    {
                        ["reason"] = "CrashLoopBackOff",
                        ["message"] = $"back-off restarting failed container={ContainerName} pod={pod.Name()}",
                    },
                };
                return;
            }

            status["phase"] = exitCode == 0 ? "Succeeded" : "Failed";
            status["containerStatuses"]![0]!["ready"] = false;
            cs["state"] = new JsonObject { ["terminated"] = terminated };
        });
        return exitCode != 0 && policy == "Abort" ? HookProgress.Aborted : HookProgress.Running;
    }

    /// <summary>The rake tasks of `bundle exec rake a b VAR=value && ...` (arguments with '=' are variables, not tasks).</summary>
    private static List<string> RakeTasks(IReadOnlyList<string> command)
    {
        var script = command.Count >= 3 && command[1] == "-c" ? command[2] : string.Join(' ', command);
        return script.Split("&&").Select(s => s.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length > 3 && words[0] == "bundle" && words[1] == "exec" && words[2] == "rake")
            .SelectMany(words => words.Skip(3).Where(w => !w.Contains('=', StringComparison.Ordinal)))
            .ToList();
    }

    private static HookFailure? MissingTask(string image, List<string> tasks)
    {
        if (!image.Contains("/3scale-amp26/", StringComparison.Ordinal) || tasks.FirstOrDefault(TasksNewIn27.Contains) is not { } missing)
        {
            return null;
        }

        return new HookFailure(1, ["rake aborted!", $"Don't know how to build task '{missing}' (See the list of available tasks with `rake --tasks`)"]);
    }

    private JsonObject MakeHookPod(JsonObject rc, JsonObject exec, JsonObject strategy, string policy, string name, DateTimeOffset now)
    {
        var template = rc["spec"]?["template"]?["spec"];
        var baseContainer = template?["containers"].Objects().FirstOrDefault(c => c.Str("name") == exec.Str("containerName")) ?? [];
        var env = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var e in baseContainer["env"].Objects().Concat(exec["env"].Objects()))
        {
            env[e.Str("name") ?? string.Empty] = e.DeepClone();
        }

        var envList = new JsonArray(env.Values.ToArray());
        envList.Add(new JsonObject { ["name"] = "OPENSHIFT_DEPLOYMENT_NAME", ["value"] = rc.Name() });
        envList.Add(new JsonObject { ["name"] = "OPENSHIFT_DEPLOYMENT_NAMESPACE", ["value"] = rc.Namespace() });
        var wanted = exec["volumes"]?.AsArray().Select(v => v?.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        var volumes = template?["volumes"].Objects().Where(v => wanted.Contains(v.Str("name"))).Select(v => v.DeepClone()).ToArray() ?? [];
        var mounts = baseContainer["volumeMounts"].Objects().Where(m => wanted.Contains(m.Str("name"))).Select(m => m.DeepClone()).ToArray();
        var deadline = strategy["activeDeadlineSeconds"] is JsonValue d ? d.GetValue<long>() : 21600; // MaxDeploymentDurationSeconds
        var labels = new JsonObject { [PodTypeLabel] = Suffix, [DeployerPodFor] = rc.Name() };
        foreach (var (key, value) in strategy["labels"] as JsonObject ?? [])
        {
            labels[key] ??= value?.DeepClone();
        }

        return new JsonObject
        {
            ["kind"] = "Pod",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = labels,
                ["annotations"] = new JsonObject { [DeploymentName] = rc.Name() },
            },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = ContainerName,
                    ["image"] = baseContainer.Str("image"),
                    ["command"] = exec["command"]?.DeepClone(),
                    ["env"] = envList,
                    ["volumeMounts"] = new JsonArray(mounts),
                }),
                ["volumes"] = new JsonArray(volumes),
                ["activeDeadlineSeconds"] = deadline,
                ["restartPolicy"] = policy == "Retry" ? "OnFailure" : "Never",
                ["terminationGracePeriodSeconds"] = 10,
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Pending",
                ["startTime"] = Time(now),
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = ContainerName,
                    ["image"] = baseContainer.Str("image"),
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                }),
            },
        };
    }

    private void SetStatus(JsonObject pod, Action<JsonObject> change) =>
        registry.Modify("pods", pod.Namespace(), pod.Name(), current =>
        {
            change(current.Obj("status"));
            return current;
        }, status: true);

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
