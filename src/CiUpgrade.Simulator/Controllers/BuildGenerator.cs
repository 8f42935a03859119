using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Registry.Strategies;
using CiUpgrade.Simulator.Storage;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// Makes a Build from a BuildConfig as openshift-apiserver's build generator does
/// (pkg/build/apiserver/buildgenerator/generator.go): name &lt;bc&gt;-&lt;lastVersion+1&gt;, the build-config labels and
/// annotations, the BuildConfig's spec copied, and a strategy `from` ImageStreamTag resolved to the DockerImage
/// pull spec it points at now (so a Build records exactly which base image it used).
/// </summary>
internal static class BuildGenerator
{
    public const string BuildConfigLabel = "openshift.io/build-config.name";
    public const string BuildNumberAnnotation = "openshift.io/build.number";

    /// <summary>The created Build, or null while the strategy's base ImageStreamTag has no image yet (the caller waits, as the server does).</summary>
    public static JsonObject? Generate(ResourceRegistry registry, string ns, string name, string triggerMessage)
    {
        var bc = registry.Store.Get("buildconfigs", ns, name)
            ?? throw new StoreException(StoreError.NotFound, $"buildconfigs.build.openshift.io \"{name}\" not found");
        var sourceType = bc["spec"]?["source"].Str("type");
        if (sourceType != "Binary")
        {
            // The binary handler requires a binary source (BinaryBuildRequestOptions validation); wording is ours.
            throw new BadRequestException($"build config {ns}/{name} does not accept binary input (spec.source.type is {sourceType ?? "unset"})");
        }

        var strategy = bc["spec"]?["strategy"]?.DeepClone() as JsonObject ?? [];
        var strategyOptions = strategy["dockerStrategy"] as JsonObject ?? strategy["sourceStrategy"] as JsonObject;
        if (strategyOptions?["from"] is JsonObject from && from.Str("kind") == "ImageStreamTag")
        {
            var resolved = ResolveTag(registry, from.Str("namespace") is { Length: > 0 } fromNs ? fromNs : ns, from.Str("name") ?? string.Empty);
            if (resolved is null)
            {
                return null;
            }

            strategyOptions["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = resolved };
        }

        long version = 0;
        registry.Store.Mutate("buildconfigs", ns, name, config =>
        {
            version = config["status"].Long("lastVersion") + 1;
            config.Obj("status")["lastVersion"] = version;
            return true;
        });
        var number = version.ToString(CultureInfo.InvariantCulture);
        var output = bc["spec"]?["output"]?.DeepClone() as JsonObject ?? [];
        var outputTag = output["to"].Str("name") ?? string.Empty;
        var build = new JsonObject
        {
            ["kind"] = "Build",
            ["apiVersion"] = "build.openshift.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{name}-{number}",
                ["labels"] = new JsonObject { ["buildconfig"] = name, [BuildConfigLabel] = name, ["openshift.io/build.start-policy"] = "Serial" },
                ["annotations"] = new JsonObject { [BuildConfigLabel] = name, [BuildNumberAnnotation] = number },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "build.openshift.io/v1",
                    ["kind"] = "BuildConfig",
                    ["name"] = name,
                    ["uid"] = bc.Meta().Str("uid"),
                    ["controller"] = true,
                }),
            },
            ["spec"] = new JsonObject
            {
                ["serviceAccount"] = "builder",
                ["source"] = new JsonObject { ["type"] = "Binary", ["binary"] = new JsonObject() },
                ["strategy"] = strategy,
                ["output"] = output,
                ["resources"] = new JsonObject(),
                ["postCommit"] = new JsonObject(),
                ["nodeSelector"] = null,
                ["triggeredBy"] = new JsonArray(new JsonObject { ["message"] = triggerMessage }),
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "New",
                ["outputDockerImageReference"] = $"{ImageStreamStrategy.InternalRegistry}/{ns}/{outputTag}",
                ["config"] = new JsonObject { ["kind"] = "BuildConfig", ["namespace"] = ns, ["name"] = name },
                ["output"] = new JsonObject(),
            },
        };
        return registry.Create("builds", ns, build);
    }

    private static string? ResolveTag(ResourceRegistry registry, string ns, string streamTag)
    {
        var colon = streamTag.IndexOf(':', StringComparison.Ordinal);
        var stream = colon < 0 ? null : registry.Store.Get("imagestreams", ns, streamTag[..colon]);
        return stream is null ? null : ImageStreamTags.Resolve(stream, streamTag[(colon + 1)..]);
    }
}
