using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Registry.Strategies;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// The image trigger controller (openshift-controller-manager pkg/image/trigger/deploymentconfigs/deploymentconfigs.go,
/// UpdateDeploymentConfigImages): for each automatic ImageChange trigger whose tag resolves to a new reference,
/// writes it into every named container and init container and into lastTriggeredImage, then PUTs the DC
/// (generation + 1). It never touches latestVersion; the DC controller starts the rollout.
/// </summary>
internal sealed class ImageTriggerController(ResourceRegistry registry) : IController
{
    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        var changed = false;
        var streams = registry.Store.List("imagestreams", ns).Items
            .ToDictionary(s => s.Namespace() + "/" + s.Name(), StringComparer.Ordinal);
        foreach (var dc in registry.Store.List("deploymentconfigs", ns).Items)
        {
            if (Apply(dc.Clone(), streams))
            {
                registry.Modify("deploymentconfigs", dc.Namespace(), dc.Name(), current => Apply(current, streams) ? current : null);
                changed = true;
            }
        }

        return new PassResult(changed, false);
    }

    /// <summary>Edits <paramref name="dc"/> in place; true when something changed.</summary>
    internal static bool Apply(JsonObject dc, IReadOnlyDictionary<string, JsonObject> streams)
    {
        var changed = false;
        foreach (var trigger in dc["spec"]?["triggers"].Objects() ?? [])
        {
            if (trigger.Str("type") != "ImageChange" || trigger["imageChangeParams"] is not JsonObject p || !p.Bool("automatic"))
            {
                continue;
            }

            var reference = Resolve(dc, p, streams);
            if (reference is null)
            {
                continue;
            }

            var names = p["containerNames"] is JsonArray a ? a.Select(n => (string?)n).ToHashSet() : [];
            var podSpec = dc["spec"]?["template"]?["spec"];
            foreach (var container in podSpec?["containers"].Objects().Concat(podSpec?["initContainers"].Objects() ?? []) ?? [])
            {
                if (names.Contains(container.Str("name")) && container.Str("image") != reference)
                {
                    container["image"] = reference;
                    changed = true;
                }
            }

            if (p.Str("lastTriggeredImage") != reference)
            {
                p["lastTriggeredImage"] = reference;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>The reference the trigger's ImageStreamTag resolves to now, or null when it has no image yet.</summary>
    internal static string? Resolve(JsonObject dc, JsonObject imageChangeParams, IReadOnlyDictionary<string, JsonObject> streams)
    {
        var from = imageChangeParams["from"];
        var ns = from.Str("namespace") is { Length: > 0 } n ? n : dc.Namespace();
        var name = from.Str("name") ?? string.Empty;
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !streams.TryGetValue(ns + "/" + name[..colon], out var stream))
        {
            return null;
        }

        var decorated = stream.Clone();
        return ImageStreamTags.Resolve(decorated, name[(colon + 1)..]);
    }
}
