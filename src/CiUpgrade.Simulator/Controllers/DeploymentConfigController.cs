using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using static CiUpgrade.Simulator.Controllers.DeploymentAnnotations;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// The DC controller (openshift-controller-manager pkg/apps/deploymentconfig/deploymentconfig_controller.go, Handle):
/// decides when a new version starts (latestVersion + 1 with details, through /status), creates the
/// ReplicationController for it (library-go appsutil.MakeDeployment), keeps status and conditions in step with
/// the RCs (calculateStatus, updateConditions) and, once a rollout is over, scales the active RC.
/// </summary>
internal sealed class DeploymentConfigController(ResourceRegistry registry, TimeProvider time) : IController
{
    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        var result = default(PassResult);
        var rcsByDc = registry.Store.List("replicationcontrollers", ns).Items
            .Where(rc => rc.Annotation(ConfigName) is not null)
            .ToLookup(rc => rc.Namespace() + "/" + rc.Annotation(ConfigName), StringComparer.Ordinal);
        foreach (var dc in registry.Store.List("deploymentconfigs", ns).Items)
        {
            result |= Handle(dc, rcsByDc[dc.Namespace() + "/" + dc.Name()].ToList());
        }

        return result;
    }

    private PassResult Handle(JsonObject dc, List<JsonObject> rcs)
    {
        var ns = dc.Namespace();
        var version = dc["status"].Long("latestVersion");
        var latest = rcs.FirstOrDefault(rc => rc.Name() == RcName(dc, version));
        if (dc["spec"].Bool("paused"))
        {
            return new PassResult(UpdateStatus(dc, rcs, latest), false);
        }

        if (version > 0 && latest is null)
        {
            if (HasBlankImage(dc))
            {
                return default;
            }

            // Handle, after creating the RC: the one place upstream sets NewReplicationControllerCreated (updateConditions has no case for New).
            var created = MakeDeployment(dc, version);
            registry.Create("replicationcontrollers", ns, created);
            UpdateStatus(dc, [.. rcs, created], created,
                ("True", "NewReplicationControllerCreated", $"Created new replication controller \"{created.Name()}\" for version {version}"));
            return new PassResult(true, true);
        }

        if (latest is null || IsTerminal(latest.Annotation(Phase)))
        {
            if (TriggerCause(dc, latest) is { } details)
            {
                registry.Modify("deploymentconfigs", ns, dc.Name(), current =>
                {
                    current.Obj("status")["latestVersion"] = current["status"].Long("latestVersion") + 1;
                    current.Obj("status")["details"] = details.DeepClone(); // Modify may call this again after a conflict
                    return current;
                }, status: true);
                return new PassResult(true, true);
            }
        }

        var changed = UpdateStatus(dc, rcs, latest);
        if (latest is not null && IsTerminal(latest.Annotation(Phase)))
        {
            changed |= ScaleActive(dc, rcs);
        }

        return new PassResult(changed, latest is not null && !IsTerminal(latest.Annotation(Phase)));
    }

    /// <summary>triggerActivated: the details of the version to start, or null when nothing should start.</summary>
    private static JsonObject? TriggerCause(JsonObject dc, JsonObject? latest)
    {
        var triggers = dc["spec"]?["triggers"].Objects().ToList() ?? [];
        var imageTriggers = triggers.Where(t => t.Str("type") == "ImageChange").ToList();
        var configTrigger = triggers.Any(t => t.Str("type") == "ConfigChange");
        if (latest is null)
        {
            // First rollout: wait until every image trigger has resolved; recorded as a config change.
            var ready = imageTriggers.Count > 0
                ? imageTriggers.All(t => !string.IsNullOrEmpty(t["imageChangeParams"].Str("lastTriggeredImage")))
                : configTrigger;
            return ready ? ConfigChangeDetails() : null;
        }

        var deployedImages = Containers(latest["spec"]?["template"]?["spec"]).Select(c => c.Str("image")).ToHashSet();
        if (imageTriggers.Count > 0)
        {
            var changedImages = Containers(dc["spec"]?["template"]?["spec"])
                .Select(c => c.Str("image")).Where(i => !deployedImages.Contains(i)).Distinct().ToList();
            if (changedImages.Count > 0)
            {
                return new JsonObject
                {
                    ["message"] = "image change",
                    ["causes"] = new JsonArray(changedImages.Select(i => (JsonNode)new JsonObject
                    {
                        ["type"] = "ImageChange",
                        ["imageTrigger"] = new JsonObject { ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = i } },
                    }).ToArray()),
                };
            }
        }

        if (configTrigger && !JsonNode.DeepEquals(EncodedTemplate(latest), dc["spec"]?["template"]))
        {
            return ConfigChangeDetails();
        }

        return null;
    }

    private static JsonObject ConfigChangeDetails() =>
        new() { ["message"] = "config change", ["causes"] = new JsonArray(new JsonObject { ["type"] = "ConfigChange" }) };

    private static JsonNode? EncodedTemplate(JsonObject rc)
    {
        var encoded = rc.Annotation(EncodedConfig);
        return encoded is null ? null : JsonNode.Parse(encoded)?["spec"]?["template"];
    }

    private static IEnumerable<JsonObject> Containers(JsonNode? podSpec) =>
        podSpec?["containers"].Objects().Concat(podSpec?["initContainers"].Objects() ?? []) ?? [];

    private static bool HasBlankImage(JsonObject dc) =>
        Containers(dc["spec"]?["template"]?["spec"]).Any(c => string.IsNullOrWhiteSpace(c.Str("image")));

    internal static string RcName(JsonObject dc, long version) => $"{dc.Name()}-{version}";

    /// <summary>library-go appsutil.MakeDeployment: the RC of one DC version, created with 0 replicas in phase New.</summary>
    private static JsonObject MakeDeployment(JsonObject dc, long version)
    {
        var name = RcName(dc, version);
        var selector = (dc["spec"]?["selector"] as JsonObject)?.Clone() ?? [];
        selector["deploymentconfig"] = dc.Name();
        selector["deployment"] = name;
        var template = (dc["spec"]?["template"] as JsonObject)?.Clone() ?? [];
        var templateMeta = template.Obj("metadata");
        var labels = templateMeta.Obj("labels");
        labels["deploymentconfig"] = dc.Name();
        labels["deployment"] = name;
        var templateAnnotations = templateMeta.Obj("annotations");
        templateAnnotations[DeploymentName] = name;
        templateAnnotations[ConfigName] = dc.Name();
        templateAnnotations[LatestVersion] = version.ToString(CultureInfo.InvariantCulture);
        var rcLabels = (dc.Meta()["labels"] as JsonObject)?.Clone() ?? [];
        rcLabels[ConfigName] = dc.Name();
        return new JsonObject
        {
            ["kind"] = "ReplicationController",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = dc.Namespace(),
                ["labels"] = rcLabels,
                ["annotations"] = new JsonObject
                {
                    [ConfigName] = dc.Name(),
                    [LatestVersion] = version.ToString(CultureInfo.InvariantCulture),
                    [Phase] = "New",
                    [EncodedConfig] = dc.ToJsonString(),
                    [DesiredReplicas] = dc["spec"].Long("replicas").ToString(CultureInfo.InvariantCulture),
                    [DeploymentReplicas] = "0",
                    [StatusReason] = dc["status"]?["details"].Str("message") ?? "config change",
                },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps.openshift.io/v1",
                    ["kind"] = "DeploymentConfig",
                    ["name"] = dc.Name(),
                    ["uid"] = dc.Meta().Str("uid"),
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = new JsonObject { ["replicas"] = 0, ["selector"] = selector, ["template"] = template },
            ["status"] = new JsonObject { ["replicas"] = 0 },
        };
    }

    /// <summary>calculateStatus + updateConditions; writes /status only when something other than timestamps changed.</summary>
    private bool UpdateStatus(JsonObject dc, List<JsonObject> rcs, JsonObject? latest, (string Status, string? Reason, string Message)? progressing = null)
    {
        if (latest is null)
        {
            return false;
        }

        var desired = dc["spec"].Long("replicas");
        var available = rcs.Sum(rc => rc["status"].Long("availableReplicas"));
        var status = dc["status"]?.Clone().AsObject() ?? [];
        status["observedGeneration"] = dc.Meta().Long("generation");
        status["replicas"] = rcs.Sum(rc => rc["status"].Long("replicas"));
        status["updatedReplicas"] = latest["status"].Long("replicas");
        status["availableReplicas"] = available;
        status["unavailableReplicas"] = Math.Max(0, rcs.Sum(rc => rc["spec"].Long("replicas")) - available);
        var ready = rcs.Sum(rc => rc["status"].Long("readyReplicas"));
        if (ready > 0)
        {
            status["readyReplicas"] = ready;
        }
        else
        {
            status.Remove("readyReplicas"); // omitempty in openshift/api apps/v1 types.go
        }

        var maxUnavailable = (long)Math.Floor(desired * 0.25);
        var minAvailable = available >= desired - maxUnavailable && available > 0;
        SetCondition(status, "Available", minAvailable ? "True" : "False", null,
            minAvailable ? "Deployment config has minimum availability." : "Deployment config does not have minimum availability.");
        if ((progressing ?? Progressing(latest)) is var (progressStatus, reason, message))
        {
            SetCondition(status, "Progressing", progressStatus, reason, message);
        }

        if (JsonNode.DeepEquals(WithoutTimes(status), WithoutTimes(dc["status"])))
        {
            return false;
        }

        registry.Modify("deploymentconfigs", dc.Namespace(), dc.Name(), current =>
        {
            // status was computed from an earlier read: a version someone started since (instantiate, a trigger)
            // keeps its latestVersion and the details that say why, or the cause would read as the old one.
            var stored = current["status"];
            var newer = stored.Long("latestVersion") > status.Long("latestVersion");
            var details = stored?["details"]?.DeepClone();
            current["status"] = status.Clone();
            if (newer)
            {
                current.Obj("status")["latestVersion"] = stored.Long("latestVersion");
                current.Obj("status")["details"] = details;
            }

            return current;
        }, status: true);
        return true;
    }

    /// <summary>updateConditions' Progressing for the latest RC's phase; null for New (no case upstream: nothing changes).</summary>
    private static (string Status, string? Reason, string Message)? Progressing(JsonObject rc)
    {
        var name = rc.Name();
        return rc.Annotation(Phase) switch
        {
            "Complete" => ("True", "NewReplicationControllerAvailable", $"replication controller \"{name}\" successfully rolled out"),
            "Failed" when rc.Annotation(Cancelled) == "true" => ("False", "RolloutCancelled", $"rollout of replication controller \"{name}\" was cancelled"),
            "Failed" => ("False", "ProgressDeadlineExceeded", $"replication controller \"{name}\" has failed progressing"),
            "Pending" => ("Unknown", null, $"replication controller \"{name}\" is waiting for pod \"{name}-deploy\" to run"),
            "Running" => ("True", "ReplicationControllerUpdated", $"replication controller \"{name}\" is progressing"),
            _ => null,
        };
    }

    /// <summary>
    /// appsutil.SetDeploymentCondition (openshift/library-go pkg/apps/appsutil/util.go): when status and reason are
    /// unchanged it returns without touching the condition ("we are not going to update"), so the message may keep
    /// naming an older RC (review D16); otherwise the condition is removed and re-appended.
    /// </summary>
    private void SetCondition(JsonObject status, string type, string conditionStatus, string? reason, string message)
    {
        var conditions = status.Arr("conditions");
        var existing = conditions.Objects().FirstOrDefault(c => c.Str("type") == type);
        var now = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (existing is not null && existing.Str("status") == conditionStatus && existing.Str("reason") == reason)
        {
            return;
        }

        if (existing is not null)
        {
            conditions.Remove(existing);
        }

        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = conditionStatus,
            ["lastUpdateTime"] = now,
            ["lastTransitionTime"] = existing?.Str("status") == conditionStatus ? existing["lastTransitionTime"]?.DeepClone() : now,
        };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        condition["message"] = message;
        conditions.Add(condition);
    }

    private static JsonNode? WithoutTimes(JsonNode? status)
    {
        var copy = status?.DeepClone();
        foreach (var c in copy?["conditions"].Objects() ?? [])
        {
            c.Remove("lastUpdateTime");
            c.Remove("lastTransitionTime");
        }

        return copy;
    }

    /// <summary>reconcileDeployments: the newest Complete RC serves spec.replicas, every other RC is scaled to 0.</summary>
    private bool ScaleActive(JsonObject dc, List<JsonObject> rcs)
    {
        var active = rcs.Where(rc => rc.Annotation(Phase) == "Complete")
            .OrderByDescending(rc => long.Parse(rc.Annotation(LatestVersion) ?? "0", CultureInfo.InvariantCulture)).FirstOrDefault();
        var changed = false;
        foreach (var rc in rcs)
        {
            var want = rc == active ? dc["spec"].Long("replicas") : 0;
            if (rc["spec"].Long("replicas") != want)
            {
                registry.Modify("replicationcontrollers", rc.Namespace(), rc.Name(), current =>
                {
                    current.Obj("spec")["replicas"] = want;
                    if (rc == active)
                    {
                        current.SetAnnotation(DeploymentReplicas, want.ToString(CultureInfo.InvariantCulture));
                    }

                    return current;
                });
                changed = true;
            }
        }

        return changed;
    }
}
