using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>
/// openshift-apiserver's DeploymentConfig rules: defaults (pkg/apps/apis/apps/v1/defaults.go), generation on
/// spec change and server-owned status (pkg/apps/apiserver/registry/deployconfig/strategy.go), validation
/// (pkg/apps/apis/apps/validation/validation.go).
/// </summary>
public sealed class DeploymentConfigStrategy : IResourceStrategy
{
    public ResourceType Type { get; } = new("apps.openshift.io", "v1", "DeploymentConfig", "deploymentconfigs", "deploymentconfig", true,
        ["dc"], ["create", "delete", "get", "list", "patch", "update", "watch"],
        ["deploymentconfigs/status", "deploymentconfigs/scale", "deploymentconfigs/instantiate"]);

    public void PrepareForCreate(JsonObject obj)
    {
        obj.Meta()["generation"] = 1;
        ApplyDefaults(obj);
        obj["status"] = new JsonObject
        {
            ["latestVersion"] = 0,
            ["observedGeneration"] = 0,
            ["replicas"] = 0,
            ["updatedReplicas"] = 0,
            ["availableReplicas"] = 0,
            ["unavailableReplicas"] = 0,
        };
    }

    public void PrepareForUpdate(JsonObject updated, JsonObject old)
    {
        ApplyDefaults(updated);

        // Status written through the main resource is discarded, except that latestVersion may go up
        // by exactly one (old clients' `oc rollout latest` fallback).
        var requestedVersion = updated["status"].Long("latestVersion");
        updated["status"] = old["status"]?.DeepClone() ?? new JsonObject();
        var oldVersion = old["status"].Long("latestVersion");
        if (requestedVersion == oldVersion + 1)
        {
            updated.Obj("status")["latestVersion"] = requestedVersion;
        }

        var generation = old.Meta().Long("generation");
        updated.Meta()["generation"] = JsonNode.DeepEquals(updated["spec"], old["spec"]) ? generation : generation + 1;
    }

    public void PrepareForStatusUpdate(JsonObject updated, JsonObject old)
    {
        updated["spec"] = old["spec"]?.DeepClone();
        updated.Meta()["generation"] = old.Meta()["generation"]?.DeepClone();
        updated.Meta()["labels"] = old.Meta()["labels"]?.DeepClone();
    }

    public IReadOnlyList<FieldError> Validate(JsonObject obj, JsonObject? old)
    {
        var errors = NameValidation.Check(obj.Name()).ToList();
        var podSpec = obj["spec"]?["template"]?["spec"];
        if (!podSpec?["containers"].Objects().Any() ?? true)
        {
            errors.Add(new FieldError("spec.template.spec.containers", "FieldValueRequired", "Required value"));
        }

        var i = 0;
        foreach (var trigger in obj["spec"]?["triggers"].Objects() ?? [])
        {
            if (trigger.Str("type") == "ImageChange")
            {
                var p = trigger["imageChangeParams"];
                if (p?["containerNames"] is not JsonArray { Count: > 0 })
                {
                    errors.Add(new FieldError($"spec.triggers[{i}].imageChangeParams.containerNames", "FieldValueRequired",
                        "Required value: at least one containerName is required"));
                }

                var from = p?["from"].Str("name") ?? string.Empty;
                if (!from.Contains(':', StringComparison.Ordinal))
                {
                    errors.Add(new FieldError($"spec.triggers[{i}].imageChangeParams.from.name", "FieldValueInvalid",
                        $"Invalid value: \"{from}\": must be of the form <stream_name>:<tag>"));
                }
            }

            i++;
        }

        if (old is not null)
        {
            if (obj["status"].Long("latestVersion") < old["status"].Long("latestVersion"))
            {
                errors.Add(new FieldError("status.latestVersion", "FieldValueInvalid", "Invalid value: latestVersion cannot be decremented"));
            }

            if (obj["status"].Long("observedGeneration") < old["status"].Long("observedGeneration"))
            {
                errors.Add(new FieldError("status.observedGeneration", "FieldValueInvalid", "Invalid value: observedGeneration cannot be decremented"));
            }
        }

        return errors;
    }

    public void Decorate(JsonObject obj)
    {
    }

    private static void ApplyDefaults(JsonObject dc)
    {
        var spec = dc.Obj("spec");
        if (spec["triggers"] is null)
        {
            spec["triggers"] = new JsonArray(new JsonObject { ["type"] = "ConfigChange" });
        }

        foreach (var trigger in spec["triggers"].Objects())
        {
            if (trigger["imageChangeParams"]?["from"] is JsonObject from)
            {
                from["kind"] ??= "ImageStreamTag";
                if (string.IsNullOrEmpty(from.Str("namespace")))
                {
                    from["namespace"] = dc.Namespace();
                }
            }
        }

        spec["revisionHistoryLimit"] ??= 10;
        spec["test"] ??= false;
        var strategy = spec.Obj("strategy");
        strategy["type"] ??= "Rolling";
        if (strategy.Str("type") == "Rolling")
        {
            var rolling = strategy.Obj("rollingParams");
            rolling["updatePeriodSeconds"] ??= 1;
            rolling["intervalSeconds"] ??= 1;
            rolling["timeoutSeconds"] ??= 600;
            rolling["maxUnavailable"] ??= "25%";
            rolling["maxSurge"] ??= "25%";
        }

        strategy["activeDeadlineSeconds"] ??= 21600;
    }
}
