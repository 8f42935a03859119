using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Registry.Strategies;

namespace CiUpgrade.Simulator.Seed;

/// <summary>
/// Seeds a namespace as a healthy 3scale 2.6 install from the real template: the template's image streams,
/// DeploymentConfigs, ConfigMaps, Secrets and ServiceAccounts are created through the registry, then the
/// controllers run (with no delays) until every stream is imported and every DC has rolled out version 1.
/// </summary>
public static class ThreeScaleSeed
{
    /// <summary>The optional DeploymentConfigs a 2.7 upgrade checks for (runbook step 7).</summary>
    public static readonly IReadOnlyList<string> OptionalDeploymentConfigs = ["backend-redis", "system-redis", "system-mysql", "system-postgresql"];

    public const string OracleBuildConfig = "3scale-amp-system-oracle";

    private static readonly Dictionary<string, string> Plurals = new(StringComparer.Ordinal)
    {
        ["ImageStream"] = "imagestreams",
        ["DeploymentConfig"] = "deploymentconfigs",
        ["ConfigMap"] = "configmaps",
        ["Secret"] = "secrets",
        ["ServiceAccount"] = "serviceaccounts",
        ["BuildConfig"] = "buildconfigs",
    };

    public static void Seed(ResourceRegistry registry, string ns, SeedOptions options)
    {
        if (registry.Store.Get("namespaces", string.Empty, ns) is null)
        {
            registry.Create("namespaces", string.Empty, new JsonObject
            {
                ["kind"] = "Namespace",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["name"] = ns },
                ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            });
        }

        var objects = TemplateProcessor.Objects(options.PostgreSql ? "amp-postgresql-2.6.yml" : "amp-2.6.yml")
            .Where(o => Plurals.ContainsKey(o.Str("kind") ?? string.Empty))
            .Where(o => Keep(o, options))
            .ToList();
        if (options.Oracle)
        {
            objects.AddRange(TemplateProcessor.Objects("system-oracle-build-2.6.yml").Where(o => o.Str("kind") == "BuildConfig"));
        }

        foreach (var obj in objects)
        {
            var kind = obj.Str("kind")!;
            if (kind == "BuildConfig")
            {
                obj["apiVersion"] = "build.openshift.io/v1";
            }

            obj.Meta().Remove("creationTimestamp");
            obj.Remove("status");
            if (kind == "Secret")
            {
                EncodeStringData(obj);
            }

            if (options.Oracle && kind == "Secret" && obj.Name() == "system-database")
            {
                obj.Obj("data")["URL"] = Base64("oracle-enhanced://threescale:secret@oracle.example.com:1521/threescalepdb");
            }

            registry.Create(Plurals[kind], ns, obj);
        }

        if (options.Oracle)
        {
            PushOracleBuild(registry, ns);
        }

        ControllerManager.Settle(registry, ns);
    }

    private static bool Keep(JsonObject obj, SeedOptions options)
    {
        if (obj.Str("kind") != "DeploymentConfig")
        {
            return true;
        }

        var name = obj.Name();
        if (!options.Optional && OptionalDeploymentConfigs.Contains(name))
        {
            return false;
        }

        // An Oracle-backed system keeps its database outside the cluster.
        return !(options.Oracle && name is "system-mysql" or "system-postgresql");
    }

    /// <summary>
    /// An Oracle install's amp-system:latest is pushed by the `3scale-amp-system-oracle` Docker build
    /// (system-oracle README, build.yml output amp-system:latest), so it carries no ImageStreamTag reference
    /// and points at the internal registry.
    /// </summary>
    private static void PushOracleBuild(ResourceRegistry registry, string ns)
    {
        var digest = ImageDigests.For($"{ns}/{OracleBuildConfig}-1");
        registry.Store.Mutate("imagestreams", ns, "amp-system", stream =>
        {
            var tags = stream.Obj("spec").Arr("tags");
            foreach (var latest in tags.Objects().Where(t => t.Str("name") == "latest").ToList())
            {
                tags.Remove(latest);
            }

            ImageStreamTags.AddTagEvent(stream, "latest", new JsonObject
            {
                ["created"] = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["dockerImageReference"] = $"{ImageStreamStrategy.InternalRegistry}/{ns}/amp-system@sha256:{digest}",
                ["image"] = $"sha256:{digest}",
                ["generation"] = 1,
            });
            return true;
        });
        registry.Create("builds", ns, new JsonObject
        {
            ["kind"] = "Build",
            ["apiVersion"] = "build.openshift.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{OracleBuildConfig}-1",
                ["labels"] = new JsonObject { ["buildconfig"] = OracleBuildConfig, ["openshift.io/build-config.name"] = OracleBuildConfig },
                ["annotations"] = new JsonObject { ["openshift.io/build-config.name"] = OracleBuildConfig, ["openshift.io/build.number"] = "1" },
            },
            ["spec"] = new JsonObject
            {
                ["strategy"] = new JsonObject { ["type"] = "Docker" },
                ["output"] = new JsonObject { ["to"] = new JsonObject { ["kind"] = "ImageStreamTag", ["name"] = "amp-system:latest" } },
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Complete",
                ["outputDockerImageReference"] = $"{ImageStreamStrategy.InternalRegistry}/{ns}/amp-system:latest",
                ["output"] = new JsonObject { ["to"] = new JsonObject { ["imageDigest"] = $"sha256:{digest}" } },
            },
        });
    }

    /// <summary>The API server turns a Secret's stringData into base64 data on write.</summary>
    private static void EncodeStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            return;
        }

        var data = secret.Obj("data");
        foreach (var (key, value) in stringData)
        {
            data[key] = Base64(value?.ToString() ?? string.Empty);
        }

        secret.Remove("stringData");
    }

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
