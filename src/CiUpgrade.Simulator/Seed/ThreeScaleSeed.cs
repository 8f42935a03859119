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
        ["Service"] = "services",
        ["Route"] = "routes",
        ["PersistentVolumeClaim"] = "persistentvolumeclaims",
        ["Role"] = "roles",
        ["RoleBinding"] = "rolebindings",
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

            if (options.Oracle && kind == "ImageStream" && obj.Name() == "amp-system")
            {
                var tags = obj.Obj("spec").Arr("tags");
                foreach (var latest in tags.Objects().Where(t => t.Str("name") == "latest").ToList())
                {
                    tags.Remove(latest);
                }
            }

            registry.Create(Plurals[kind], ns, obj);
        }

        ControllerManager.Settle(registry, ns);
        if (options.Oracle)
        {
            BuildOracleSystem(registry, ns);
        }
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
    /// An Oracle install's amp-system:latest is pushed by the `3scale-amp-system-oracle` Docker build (system-oracle
    /// README: `oc start-build 3scale-amp-system-oracle --from-dir=.`, build.yml output amp-system:latest), so it
    /// carries no ImageStreamTag reference and points at the internal registry. The seed drops the template's
    /// `latest` reference (before anything rolls out) and runs that build through the same generator and controller a live build uses.
    /// </summary>
    private static void BuildOracleSystem(ResourceRegistry registry, string ns)
    {
        var uploads = new BinaryUploads();
        var build = BuildGenerator.Generate(registry, ns, OracleBuildConfig, "Manually triggered")
            ?? throw new InvalidOperationException($"amp-system:2.6 has no image in {ns}");
        uploads.Record(ns, build.Name(), OracleClientFiles);
        ControllerManager.Settle(registry, ns, uploads);
    }

    /// <summary>What the system-oracle build context holds (Dockerfile and the Instant Client 12.2 packages its README names).</summary>
    public static readonly IReadOnlyList<string> OracleClientFiles =
    [
        "Dockerfile",
        "oracle-client-files/instantclient-basiclite-linux.x64-12.2.0.1.0.zip",
        "oracle-client-files/instantclient-sdk-linux.x64-12.2.0.1.0.zip",
        "oracle-client-files/instantclient-odbc-linux.x64-12.2.0.1.0-2.zip",
    ];

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
