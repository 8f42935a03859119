using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Registry.Strategies;
using CiUpgrade.Simulator.Seed;
using CiUpgrade.Simulator.Storage;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>
/// A healthy 3scale 2.6 template install in a namespace of the real API server: the simulator's own seed objects
/// (<see cref="ThreeScaleSeed"/>, run on an in-memory store) created through the API as `oc new-app` would create
/// them, without their statuses; then <see cref="ControllerStandIn"/> writes what OpenShift's controllers would
/// (the 2.6 images imported, every DeploymentConfig rolled out at version 1).
/// </summary>
public static class InstallSeed
{
    /// <summary>The kinds the real server serves, in creation order (DCs last: their triggers name the streams).</summary>
    private static readonly (string Plural, string Prefix)[] Kinds =
    [
        ("secrets", "api/v1"),
        ("configmaps", "api/v1"),
        ("serviceaccounts", "api/v1"),
        ("imagestreams", "apis/image.openshift.io/v1"),
        ("deploymentconfigs", "apis/apps.openshift.io/v1"),
    ];

    public static async Task SeedAsync(RealApi api, string ns, SeedOptions? options = null)
    {
        var registry = new ResourceRegistry(new ObjectStore(), OpenShiftResources.All(ServerVersion.OpenShift4));
        ThreeScaleSeed.Seed(registry, ns, options ?? SeedOptions.Default);

        var created = await api.PostAsync("api/v1/namespaces", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = ns },
        });
        Assert.True(created.Code == HttpStatusCode.Created, $"create namespace {ns}: {created}");

        foreach (var (plural, prefix) in Kinds)
        {
            foreach (var item in registry.Store.List(plural, ns).Items)
            {
                var obj = AsCreated(item);
                var answer = await api.PostAsync($"{prefix}/namespaces/{ns}/{plural}", obj);
                Assert.True(answer.Code == HttpStatusCode.Created, $"create {plural}/{obj.Name()}: {answer}");
            }
        }

        await ControllerStandIn.ImportAsync(api, ns);
        await ControllerStandIn.RollOutAsync(api, ns);
    }

    /// <summary>The object as a client creates it: no status, none of the fields the server sets.</summary>
    private static JsonObject AsCreated(JsonObject stored)
    {
        var obj = stored.Clone();
        obj.Remove("status");
        var meta = obj.Meta();
        foreach (var field in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink" })
        {
            meta.Remove(field);
        }

        return obj;
    }
}
