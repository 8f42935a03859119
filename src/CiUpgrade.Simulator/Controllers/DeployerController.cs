using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using static CiUpgrade.Simulator.Controllers.DeploymentAnnotations;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// The deployer controller and the deployer pod's strategy in one (openshift-controller-manager
/// pkg/apps/deployer/deployer_controller.go; the Rolling/Recreate strategies the `<rc>-deploy` pod runs):
/// drives the RC phase New → Pending → Running → Complete|Failed, scales the new RC up and the old ones
/// down (Recreate: old ones first), and fails the rollout when its pods are not ready by the progress deadline.
/// A pre lifecycle hook runs first (<see cref="PreHookRunner"/>); a hook that aborts fails the rollout.
/// </summary>
internal sealed class DeployerController(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, PreHookRunner hooks) : IController
{
    private readonly Dictionary<string, DateTimeOffset> _lastStep = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _scaling = new(StringComparer.Ordinal);

    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        var result = default(PassResult);
        var rcs = registry.Store.List("replicationcontrollers", ns).Items.Where(rc => rc.Annotation(ConfigName) is not null).ToList();
        var byDc = rcs.ToLookup(rc => rc.Namespace() + "/" + rc.Annotation(ConfigName), StringComparer.Ordinal);
        foreach (var rc in rcs.Where(rc => !IsTerminal(rc.Annotation(Phase))))
        {
            var key = rc.Namespace() + "/" + rc.Name();
            var dcName = rc.Annotation(ConfigName)!;
            var pace = timing.StepDelay + faults.ExtraDelayFor(rc.Namespace(), dcName);
            if (_lastStep.TryGetValue(key, out var last) && now - last < pace)
            {
                result |= new PassResult(false, true);
                continue;
            }

            var others = byDc[rc.Namespace() + "/" + dcName].Where(o => o.Name() != rc.Name()).ToList();
            if (Step(rc, others, now))
            {
                _lastStep[key] = now;
                result |= new PassResult(true, true);
            }
            else
            {
                result |= new PassResult(false, true);
            }
        }

        return result;
    }

    private bool Step(JsonObject rc, List<JsonObject> others, DateTimeOffset now)
    {
        var ns = rc.Namespace();
        var key = ns + "/" + rc.Name();
        switch (rc.Annotation(Phase))
        {
            case "New":
                CreateDeployerPod(rc, now);
                SetPhase(rc, "Pending", DeployerPodCreatedAt, now);
                return true;
            case "Pending":
                SetDeployerPodPhase(rc, "Running");
                SetPhase(rc, "Running", DeployerPodStartedAt, now);
                _started[key] = now;
                return true;
            case "Running":
                // A hook that fails keeps failing however long it runs (a fault knob, or tasks its image lacks): it is
                // "stuck" and gets the short deadline; a healthy hook ends within two passes and never meets it.
                var started = _started.TryGetValue(key, out var s) ? s : _started[key] = now;
                return Run(rc, others, now - started > timing.StuckRolloutDeadline, now);
            default:
                return false;
        }
    }

    /// <summary>One step of the Rolling or Recreate strategy; true when it wrote something.</summary>
    private bool Run(JsonObject rc, List<JsonObject> others, bool hookDeadlinePassed, DateTimeOffset now)
    {
        var desired = long.Parse(rc.Annotation(DesiredReplicas) ?? "1", CultureInfo.InvariantCulture);
        var recreate = JsonNode.Parse(rc.Annotation(EncodedConfig) ?? "{}")?["spec"]?["strategy"].Str("type") == "Recreate";
        var oldServing = others.Where(o => o["spec"].Long("replicas") > 0 || o["status"].Long("replicas") > 0).ToList();
        var newAvailable = rc["status"].Long("availableReplicas");

        // rolling.go / recreate.go: the pre hook runs to its end before the strategy scales anything. Its pod has its
        // own deadline (activeDeadlineSeconds, counted from the deployer's start); the strategy's timeout counts from
        // when scaling begins, after the hook.
        switch (hooks.Step(rc, now, hookDeadlinePassed, out var hookChanged))
        {
            case HookProgress.Aborted:
                Finish(rc, "Failed", desired, now);
                return true;
            case HookProgress.Running:
                return hookChanged;
        }

        var key = rc.Namespace() + "/" + rc.Name();
        var stuck = faults.PodFailureFor(rc.Namespace(), rc.Annotation(ConfigName)!);
        if (stuck is not null && !PodsShow(rc, stuck.Reason))
        {
            // A stuck DC's short deadline starts once its new pods show why they wait: the real progress deadline
            // (600 s) always leaves the kubelet time to report the reason, and a rollout that failed with no pod
            // ever saying why would make the tool's message depend on how busy the machine is.
            _scaling[key] = now;
        }

        var scaling = _scaling.TryGetValue(key, out var s) ? s : _scaling[key] = now;
        var deadlinePassed = now - scaling > (stuck is null ? timing.ProgressDeadline : timing.StuckRolloutDeadline);

        if (newAvailable >= desired && oldServing.Count == 0)
        {
            Finish(rc, "Complete", desired, now);
            return true;
        }

        if (deadlinePassed)
        {
            Finish(rc, "Failed", desired, now);
            return true;
        }

        if (recreate && oldServing.Count > 0)
        {
            return ScaleDown(oldServing);
        }

        if (rc["spec"].Long("replicas") < desired)
        {
            Scale(rc, desired);
            return true;
        }

        return newAvailable >= desired && ScaleDown(oldServing);
    }

    /// <summary>True when the RC has pods and every container of each waits with <paramref name="reason"/>.</summary>
    private bool PodsShow(JsonObject rc, string reason)
    {
        var pods = registry.Store.List("pods", rc.Namespace()).Items.Where(p => p.Label("deployment") == rc.Name()).ToList();
        return pods.Count > 0 && pods.All(p => p["status"]?["containerStatuses"].Objects().All(cs => cs["state"]?["waiting"].Str("reason") == reason) ?? false);
    }

    private bool ScaleDown(List<JsonObject> rcs)
    {
        var changed = false;
        foreach (var old in rcs.Where(o => o["spec"].Long("replicas") > 0))
        {
            Scale(old, 0);
            changed = true;
        }

        return changed;
    }

    private void Scale(JsonObject rc, long replicas) =>
        registry.Modify("replicationcontrollers", rc.Namespace(), rc.Name(), current =>
        {
            current.Obj("spec")["replicas"] = replicas;
            return current;
        });

    private void Finish(JsonObject rc, string phase, long desired, DateTimeOffset now)
    {
        registry.Modify("replicationcontrollers", rc.Namespace(), rc.Name(), current =>
        {
            current.SetAnnotation(Phase, phase);
            current.SetAnnotation(DeployerPodCompletedAt, GoTime(now));
            if (phase == "Complete")
            {
                current.SetAnnotation(DeploymentReplicas, desired.ToString(CultureInfo.InvariantCulture));
                current.Meta()["annotations"]!.AsObject().Remove(DesiredReplicas);
            }
            else
            {
                // A failed rollout scales its RC back to zero; the DC controller revives the previous one.
                current.Obj("spec")["replicas"] = 0;
            }

            return current;
        });
        SetDeployerPodPhase(rc, phase == "Complete" ? "Succeeded" : "Failed");
        _started.Remove(rc.Namespace() + "/" + rc.Name());
        _scaling.Remove(rc.Namespace() + "/" + rc.Name());
        _lastStep.Remove(rc.Namespace() + "/" + rc.Name());
    }

    private void SetPhase(JsonObject rc, string phase, string timeAnnotation, DateTimeOffset now) =>
        registry.Modify("replicationcontrollers", rc.Namespace(), rc.Name(), current =>
        {
            current.SetAnnotation(Phase, phase);
            current.SetAnnotation(timeAnnotation, GoTime(now));
            current.SetAnnotation(DeployerPodName, rc.Name() + "-deploy");
            return current;
        });

    private void CreateDeployerPod(JsonObject rc, DateTimeOffset now)
    {
        var name = rc.Name() + "-deploy";
        if (registry.Store.Get("pods", rc.Namespace(), name) is not null)
        {
            return;
        }

        registry.Create("pods", rc.Namespace(), new JsonObject
        {
            ["kind"] = "Pod",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject { [DeployerPodFor] = rc.Name() },
                ["annotations"] = new JsonObject { [DeploymentName] = rc.Name(), [ConfigName] = rc.Annotation(ConfigName) },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1", ["kind"] = "ReplicationController", ["name"] = rc.Name(), ["uid"] = rc.Meta().Str("uid"),
                }),
            },
            ["spec"] = new JsonObject
            {
                // The deployer pod runs as the "deployer" service account (openshift-controller-manager
                // deployer_controller.go makeDeployerPod: ServiceAccountName = serviceAccount, "deployer" by default).
                ["restartPolicy"] = "Never",
                ["serviceAccountName"] = "deployer",
                ["containers"] = new JsonArray(new JsonObject { ["name"] = "deployment", ["image"] = "quay.io/openshift/origin-deployer:latest" }),
            },
            ["status"] = new JsonObject { ["phase"] = "Pending", ["startTime"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) },
        });
    }

    private void SetDeployerPodPhase(JsonObject rc, string phase) =>
        registry.Modify("pods", rc.Namespace(), rc.Name() + "-deploy", current =>
        {
            current.Obj("status")["phase"] = phase;
            return current;
        }, status: true);
}
