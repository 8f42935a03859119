using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// The kubelet for pods no controller of the simulator runs: a pod a client created itself (no deployment label, not
/// a deployer or hook pod, no owner) starts its containers and becomes Running and Ready once
/// <see cref="ControllerTiming.PodReadyDelay"/> has passed, as a pod without probes does (e.g. the pod
/// `oc debug` creates, or ciupgrade's storage restore pod).
/// </summary>
internal sealed class KubeletController(ResourceRegistry registry, ControllerTiming timing) : IController
{
    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        var result = default(PassResult);
        foreach (var pod in registry.Store.List("pods", ns).Items.Where(Standalone))
        {
            if (pod["status"].Str("phase") is not (null or "Pending"))
            {
                continue;
            }

            var created = DateTimeOffset.TryParse(pod.Meta().Str("creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var c) ? c : now;
            if (now - created < timing.PodReadyDelay)
            {
                result |= new PassResult(false, true);
                continue;
            }

            var started = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            registry.Modify("pods", pod.Namespace(), pod.Name(), current =>
            {
                var status = current.Obj("status");
                status["phase"] = "Running";
                status["startTime"] = started;
                status["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" });
                status["containerStatuses"] = new JsonArray(current["spec"]?["containers"].Objects().Select(container => (JsonNode)new JsonObject
                {
                    ["name"] = container.Str("name"),
                    ["image"] = container.Str("image"),
                    ["ready"] = true,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } },
                }).ToArray() ?? []);
                return current;
            }, status: true);
            result |= new PassResult(true, false);
        }

        return result;
    }

    private static bool Standalone(JsonObject pod) =>
        pod.Label("deployment") is null && pod.Label(PreHookRunner.PodTypeLabel) is null && pod.Label("openshift.io/build.name") is null
        && pod.Meta()["ownerReferences"] is not JsonArray { Count: > 0 };
}
