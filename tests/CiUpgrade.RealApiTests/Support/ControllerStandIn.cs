using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry.Strategies;
using static CiUpgrade.Simulator.Controllers.DeploymentAnnotations;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>
/// The one stand-in for OpenShift's controllers on a real API server that has none. Called by a test when it wants
/// the cluster "settled", it writes, through the API, exactly what openshift-controller-manager writes once an import
/// and a rollout have finished, and nothing a stage writes:
/// <list type="bullet">
/// <item>the import of each DockerImage spec tag (a status event repo@sha256:digest, the same digest the simulator's
/// importer gives a pull spec, <see cref="ImageDigests"/>), ImageStreamTag tags following theirs
/// (<see cref="ImageStreamTags.FollowTrackedTags"/>) — status only;</item>
/// <item>per DeploymentConfig, the image trigger (the simulator's rule, <see cref="ImageTriggerController.Apply"/>),
/// then, when the pod template differs from the latest deployment's, a new version: its RC <c>&lt;dc&gt;-&lt;n&gt;</c>
/// (library-go appsutil.MakeDeployment's labels and annotations) Complete with every replica available, older RCs
/// scaled to zero, and the DC's status observed and available.</item>
/// </list>
/// No pods, hooks or failures: what needs those stays in the simulator's tests.
/// </summary>
public static class ControllerStandIn
{
    private const string Images = "apis/image.openshift.io/v1/namespaces";
    private const string Apps = "apis/apps.openshift.io/v1/namespaces";

    /// <summary>Imports every image stream of the namespace whose spec tags have no event for their pull spec yet.</summary>
    public static async Task ImportAsync(RealApi api, string ns)
    {
        foreach (var stream in await ItemsAsync(api, $"{Images}/{ns}/imagestreams"))
        {
            var changed = false;
            var created = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            foreach (var tag in ImageStreamTags.SpecTags(stream).Values.Where(t => t["from"].Str("kind") == "DockerImage"))
            {
                var pullSpec = tag["from"].Str("name")!;
                var digest = ImageDigests.For(pullSpec);
                changed |= ImageStreamTags.AddTagEvent(stream, tag.Str("name")!, new JsonObject
                {
                    ["created"] = created,
                    ["dockerImageReference"] = $"{ImageDigests.Repository(pullSpec)}@sha256:{digest}",
                    ["image"] = $"sha256:{digest}",
                    ["generation"] = stream.Meta().Long("generation"),
                });
            }

            var before = stream["status"]?.ToJsonString();
            ImageStreamTags.FollowTrackedTags(stream);
            if (changed || stream["status"]?.ToJsonString() != before)
            {
                await PutAsync(api, $"{Images}/{ns}/imagestreams/{stream.Name()}/status", stream);
            }
        }
    }

    /// <summary>Rolls out every DeploymentConfig of the namespace (or those named) whose template changed, as the DC controller would.</summary>
    public static async Task RollOutAsync(RealApi api, string ns, params string[] only)
    {
        var streams = (await ItemsAsync(api, $"{Images}/{ns}/imagestreams")).ToDictionary(s => ns + "/" + s.Name(), StringComparer.Ordinal);
        foreach (var listed in await ItemsAsync(api, $"{Apps}/{ns}/deploymentconfigs"))
        {
            if (only.Length > 0 && !only.Contains(listed.Name()))
            {
                continue;
            }

            var dc = listed;
            if (ImageTriggerController.Apply(dc, streams))
            {
                dc = await PutAsync(api, $"{Apps}/{ns}/deploymentconfigs/{dc.Name()}", dc);
            }

            var rcs = await ItemsAsync(api, $"api/v1/namespaces/{ns}/replicationcontrollers?labelSelector={Uri.EscapeDataString(ConfigName + "=" + dc.Name())}");
            var version = dc["status"].Long("latestVersion");
            var latest = rcs.FirstOrDefault(rc => rc.Name() == $"{dc.Name()}-{version}");
            if (latest is null || !JsonNode.DeepEquals(EncodedTemplate(latest), dc["spec"]?["template"]))
            {
                version++;
                latest = await CreateDeploymentAsync(api, dc, version);
                rcs.Add(latest);
            }

            foreach (var old in rcs.Where(rc => rc.Name() != latest.Name() && rc["spec"].Long("replicas") > 0))
            {
                old.Obj("spec")["replicas"] = 0;
                var scaled = await PutAsync(api, $"api/v1/namespaces/{ns}/replicationcontrollers/{old.Name()}", old);
                scaled["status"] = new JsonObject { ["replicas"] = 0, ["observedGeneration"] = scaled.Meta().Long("generation") };
                await PutAsync(api, $"api/v1/namespaces/{ns}/replicationcontrollers/{old.Name()}/status", scaled);
            }

            await WriteStatusAsync(api, dc, latest, version);
        }
    }

    /// <summary>appsutil.MakeDeployment's RC for <paramref name="version"/>, already Complete with every replica ready.</summary>
    private static async Task<JsonObject> CreateDeploymentAsync(RealApi api, JsonObject dc, long version)
    {
        var ns = dc.Namespace();
        var name = $"{dc.Name()}-{version.ToString(CultureInfo.InvariantCulture)}";
        var replicas = dc["spec"].Long("replicas");
        var selector = (dc["spec"]?["selector"] as JsonObject)?.Clone() ?? [];
        selector["deploymentconfig"] = dc.Name();
        selector["deployment"] = name;
        var template = (dc["spec"]?["template"] as JsonObject)?.Clone() ?? [];
        var templateMeta = template.Obj("metadata");
        templateMeta.Obj("labels")["deploymentconfig"] = dc.Name();
        templateMeta.Obj("labels")["deployment"] = name;
        templateMeta.Obj("annotations")[DeploymentName] = name;
        templateMeta.Obj("annotations")[ConfigName] = dc.Name();
        templateMeta.Obj("annotations")[LatestVersion] = version.ToString(CultureInfo.InvariantCulture);
        var labels = (dc.Meta()["labels"] as JsonObject)?.Clone() ?? [];
        labels[ConfigName] = dc.Name();
        var encoded = dc.Clone();
        encoded.Obj("status")["latestVersion"] = version;
        var rc = new JsonObject
        {
            ["kind"] = "ReplicationController",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = labels,
                ["annotations"] = new JsonObject
                {
                    [ConfigName] = dc.Name(),
                    [LatestVersion] = version.ToString(CultureInfo.InvariantCulture),
                    [Phase] = "Complete",
                    [EncodedConfig] = encoded.ToJsonString(),
                    [DesiredReplicas] = replicas.ToString(CultureInfo.InvariantCulture),
                    [DeploymentReplicas] = replicas.ToString(CultureInfo.InvariantCulture),
                    [StatusReason] = version == 1 ? "config change" : "image change",
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
            ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = template },
        };
        var answer = await api.PostAsync($"api/v1/namespaces/{ns}/replicationcontrollers", rc);
        Assert.True(answer.Code == HttpStatusCode.Created, $"create replicationcontrollers/{name}: {answer}");
        var created = answer.Object;
        created["status"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["fullyLabeledReplicas"] = replicas,
            ["readyReplicas"] = replicas,
            ["availableReplicas"] = replicas,
            ["observedGeneration"] = created.Meta().Long("generation"),
        };
        return await PutAsync(api, $"api/v1/namespaces/{ns}/replicationcontrollers/{name}/status", created);
    }

    /// <summary>calculateStatus once the latest RC is Complete and available: every replica updated and available, the generation observed.</summary>
    private static async Task WriteStatusAsync(RealApi api, JsonObject dc, JsonObject latest, long version)
    {
        var replicas = dc["spec"].Long("replicas");
        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["latestVersion"] = version,
            ["observedGeneration"] = dc.Meta().Long("generation"),
            ["replicas"] = replicas,
            ["updatedReplicas"] = replicas,
            ["availableReplicas"] = replicas,
            ["unavailableReplicas"] = 0,
            ["details"] = new JsonObject { ["message"] = latest.Annotation(StatusReason) ?? "config change" },
            ["conditions"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "Available", ["status"] = "True", ["lastUpdateTime"] = now, ["lastTransitionTime"] = now,
                    ["message"] = "Deployment config has minimum availability.",
                },
                new JsonObject
                {
                    ["type"] = "Progressing", ["status"] = "True", ["lastUpdateTime"] = now, ["lastTransitionTime"] = now,
                    ["reason"] = "NewReplicationControllerAvailable", ["message"] = $"replication controller \"{latest.Name()}\" successfully rolled out",
                }),
        };
        if (replicas > 0)
        {
            status["readyReplicas"] = replicas;
        }

        var current = await api.ObjectAsync($"{Apps}/{dc.Namespace()}/deploymentconfigs/{dc.Name()}");
        current["status"] = status;
        await PutAsync(api, $"{Apps}/{dc.Namespace()}/deploymentconfigs/{dc.Name()}/status", current);
    }

    private static JsonNode? EncodedTemplate(JsonObject rc) =>
        rc.Annotation(EncodedConfig) is { } encoded ? JsonNode.Parse(encoded)?["spec"]?["template"] : null;

    /// <summary>A LIST's items, each with the kind and apiVersion a PUT of it needs (a LIST of a built-in kind leaves them out).</summary>
    private static async Task<List<JsonObject>> ItemsAsync(RealApi api, string path)
    {
        var list = await api.ObjectAsync(path);
        var items = list["items"].Objects().ToList();
        foreach (var item in items)
        {
            item["apiVersion"] = list.Str("apiVersion");
            item["kind"] = list.Str("kind")![..^"List".Length];
        }

        return items;
    }

    private static async Task<JsonObject> PutAsync(RealApi api, string path, JsonObject obj)
    {
        var answer = await api.PutAsync(path, obj);
        Assert.True(answer.Code == HttpStatusCode.OK, $"PUT {path}: {answer}");
        return answer.Object;
    }
}
