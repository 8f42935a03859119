using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using static CiUpgrade.Simulator.Controllers.DeploymentAnnotations;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// The replication manager and the kubelet, reduced to what a rollout shows: an RC gets as many pods as
/// spec.replicas; a pod becomes ready after PodReadyDelay, or waits forever with a reason when its DC is stuck
/// (containerStatuses[].state.waiting, as ImagePullBackOff / CrashLoopBackOff look on a real node).
/// </summary>
internal sealed class ReplicationManager(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, Containers.IPodLifecycle? lifecycle = null) : IController
{
    private readonly Dictionary<string, DateTimeOffset> _created = new(StringComparer.Ordinal);
    private int _podCounter;

    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        var result = default(PassResult);
        var podsByRc = registry.Store.List("pods", ns).Items
            .Where(p => p.Label("deployment") is not null)
            .ToLookup(p => p.Namespace() + "/" + p.Label("deployment"), StringComparer.Ordinal);
        foreach (var rc in registry.Store.List("replicationcontrollers", ns).Items)
        {
            var pods = podsByRc[rc.Namespace() + "/" + rc.Name()].ToList();
            result |= Sync(rc, pods, now);
        }

        return result;
    }

    private PassResult Sync(JsonObject rc, List<JsonObject> pods, DateTimeOffset now)
    {
        var ns = rc.Namespace();
        var want = rc["spec"].Long("replicas");
        var changed = false;
        var pending = false;
        for (var i = pods.Count; i < want; i++)
        {
            var pod = NewPod(rc);
            _created[ns + "/" + pod.Name()] = now;
            pods.Add(registry.Create("pods", ns, pod));
            changed = true;
        }

        foreach (var extra in pods.OrderBy(IsReady).ThenByDescending(p => p.Name(), StringComparer.Ordinal).Take(Math.Max(0, pods.Count - (int)want)).ToList())
        {
            lifecycle?.Stopped(extra);
            registry.Delete("pods", ns, extra.Name());
            _created.Remove(ns + "/" + extra.Name());
            pods.Remove(extra);
            changed = true;
        }

        var failure = faults.PodFailureFor(ns, rc.Annotation(ConfigName) ?? string.Empty);
        foreach (var pod in pods.Where(p => !IsReady(p)))
        {
            var key = ns + "/" + pod.Name();
            var created = _created.TryGetValue(key, out var c) ? c : _created[key] = now;
            if (now - created < timing.PodReadyDelay)
            {
                pending = true;
            }
            else if (failure is not null)
            {
                changed |= MarkWaiting(pod, failure);
            }
            else
            {
                MarkReady(pod, now);
                lifecycle?.Started(pod);
                changed = true;
            }
        }

        var ready = pods.Count(IsReady);
        var status = new JsonObject
        {
            ["replicas"] = pods.Count,
            ["fullyLabeledReplicas"] = pods.Count,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["observedGeneration"] = rc.Meta().Long("generation"),
        };
        if (!JsonNode.DeepEquals(status, rc["status"]))
        {
            registry.Modify("replicationcontrollers", ns, rc.Name(), current =>
            {
                current["status"] = status.Clone();
                return current;
            }, status: true);
            changed = true;
        }

        return new PassResult(changed, pending);
    }

    private static bool IsReady(JsonObject pod) =>
        pod["status"]?["conditions"].Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True") ?? false;

    private JsonObject NewPod(JsonObject rc)
    {
        var template = rc["spec"]?["template"]?.DeepClone() as JsonObject ?? [];
        var suffix = ((uint)(Interlocked.Increment(ref _podCounter) * 2654435761u)).ToString("x8", CultureInfo.InvariantCulture)[..5];
        var meta = template.Obj("metadata").Clone();
        meta["name"] = $"{rc.Name()}-{suffix}";
        meta["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ReplicationController", ["name"] = rc.Name(), ["uid"] = rc.Meta().Str("uid"), ["controller"] = true,
        });
        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        return new JsonObject
        {
            ["kind"] = "Pod",
            ["apiVersion"] = "v1",
            ["metadata"] = meta,
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["phase"] = "Pending",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "False" }),
                ["containerStatuses"] = new JsonArray(spec["containers"].Objects().Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Str("name"),
                    ["image"] = c.Str("image"),
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                }).ToArray()),
            },
        };
    }

    private void MarkReady(JsonObject pod, DateTimeOffset now)
    {
        var started = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        registry.Modify("pods", pod.Namespace(), pod.Name(), current =>
        {
            var status = current.Obj("status");
            status["phase"] = "Running";
            status["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" });
            foreach (var cs in status["containerStatuses"].Objects())
            {
                cs["ready"] = true;
                cs["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } };
            }

            return current;
        }, status: true);
    }

    private bool MarkWaiting(JsonObject pod, PodFailure failure)
    {
        if (pod["status"]?["containerStatuses"].Objects().All(cs => cs["state"]?["waiting"].Str("reason") == failure.Reason) ?? true)
        {
            return false;
        }

        registry.Modify("pods", pod.Namespace(), pod.Name(), current =>
        {
            var status = current.Obj("status");
            status["phase"] = failure.Reason == "CrashLoopBackOff" ? "Running" : "Pending";
            foreach (var cs in status["containerStatuses"].Objects())
            {
                var name = cs.Str("name");
                var message = failure.Reason switch
                {
                    "ImagePullBackOff" => $"Back-off pulling image \"{cs.Str("image")}\"",
                    "CrashLoopBackOff" => $"back-off 10s restarting failed container={name} pod={current.Name()}",
                    _ => failure.Reason,
                };
                cs["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = failure.Reason, ["message"] = message } };
                if (failure.Reason == "CrashLoopBackOff")
                {
                    cs["restartCount"] = 3;
                    cs["lastState"] = new JsonObject
                    {
                        ["terminated"] = new JsonObject { ["exitCode"] = 1, ["reason"] = "Error", ["message"] = $"{name}: exited with status 1 (see pod log)" },
                    };
                }
            }

            return current;
        }, status: true);
        return true;
    }
}
