using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// `oc set env dc/system-app AMP_RELEASE=2.7` as a JSON patch (openshift/oc pkg/cli/set/env.go updateEnv):
/// every regular container gets the literal value; an existing entry, including a valueFrom ConfigMap
/// reference, is replaced in place; a missing one is appended. An init container that carries the entry gets the
/// value too (oc set env selects init containers as well, pkg/cli/set/env.go RunEnv: `spec.InitContainers`), so no
/// part of the pod still reads the source release; one that does not carry it is left alone (it never read it).
/// Each replace is guarded by a `test` of the entry's name and the patch by the resourceVersion read.
/// </summary>
public static class ReleaseEnvPatch
{
    public static JsonArray For(DeploymentConfig dc, ReleaseSetting release, string target)
    {
        var ops = new JsonArray();
        var initContainers = dc.Spec.Template?.Spec?.InitContainers ?? [];
        for (var i = 0; i < initContainers.Count; i++)
        {
            var env = initContainers[i].Env ?? [];
            var j = env.ToList().FindIndex(e => e.Name == release.Env);
            if (j >= 0 && (env[j].Value != target || env[j].ValueFrom is not null))
            {
                var path = $"/spec/template/spec/initContainers/{i}/env/{j}";
                ops.Add(ImageStreamTagPatch.Op("test", path + "/name", release.Env));
                ops.Add(ImageStreamTagPatch.Op("replace", path, new JsonObject { ["name"] = release.Env, ["value"] = target }));
            }
        }

        var containers = dc.Spec.Template?.Spec?.Containers ?? [];
        for (var i = 0; i < containers.Count; i++)
        {
            var env = containers[i].Env;
            var entry = new JsonObject { ["name"] = release.Env, ["value"] = target };
            var path = $"/spec/template/spec/containers/{i}/env";
            if (env is null || env.Count == 0)
            {
                ops.Add(ImageStreamTagPatch.Op("add", path, new JsonArray(entry)));
                continue;
            }

            var j = env.ToList().FindIndex(e => e.Name == release.Env);
            if (j < 0)
            {
                ops.Add(ImageStreamTagPatch.Op("add", path + "/-", entry));
            }
            else if (env[j].Value != target || env[j].ValueFrom is not null)
            {
                ops.Add(ImageStreamTagPatch.Op("test", $"{path}/{j}/name", release.Env));
                ops.Add(ImageStreamTagPatch.Op("replace", $"{path}/{j}", entry));
            }
        }

        if (ops.Count > 0)
        {
            ops.Insert(0, ImageStreamTagPatch.Op("test", "/metadata/resourceVersion", dc.Metadata.ResourceVersion));
        }

        return ops;
    }

    /// <summary>
    /// The release a DC's containers show: a literal value wins; a configMapKeyRef is looked up with
    /// <paramref name="configMapValue"/> (name, key → value). Null when no container sets it.
    /// </summary>
    public static string? CurrentRelease(DeploymentConfig dc, ReleaseSetting release, Func<string, string, string?> configMapValue)
    {
        foreach (var container in dc.Spec.Template?.Spec?.Containers ?? [])
        {
            var entry = container.Env?.FirstOrDefault(e => e.Name == release.Env);
            if (entry?.Value is { } literal)
            {
                return literal;
            }

            if (entry?.ValueFrom?.ConfigMapKeyRef is { } reference)
            {
                return configMapValue(reference.Name, reference.Key);
            }
        }

        return null;
    }
}
