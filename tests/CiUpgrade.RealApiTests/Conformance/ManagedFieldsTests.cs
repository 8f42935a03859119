using System.Net;
using System.Text.Json.Nodes;

namespace CiUpgrade.RealApiTests.Conformance;

/// <summary>
/// metadata.managedFields: on every object a 1.18+ server hands out (GET, LIST, watch, the answer to a write), so on
/// OpenShift 4.x, with one entry per manager (the `fieldManager` parameter, else the User-Agent, else `unknown`); on
/// OpenShift 3.11 (Kubernetes 1.11) never. A client that writes an object back must cope with them (the lock renewal
/// of issue 22 did not).
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class ManagedFieldsTests(ConformanceServers servers)
{
    [Fact]
    public async Task Every_object_carries_the_same_managers_on_4x_and_none_on_3_11()
    {
        var ns = await servers.NamespaceAsync("wire-managed");
        var real = await ObjectsAsync(servers.Real, ns);
        Assert.All(real, o => Assert.NotEmpty(Managers(o.Object)));
        foreach (var server in servers.Simulators)
        {
            var simulated = await ObjectsAsync(server, ns);
            Assert.Equal(real.Select(o => o.What), simulated.Select(o => o.What));
            for (var i = 0; i < real.Count; i++)
            {
                var expected = server.Is311 ? [] : Managers(real[i].Object);
                Assert.True(expected.SequenceEqual(Managers(simulated[i].Object)),
                    $"{server}, {real[i].What}: the real server's managers are [{string.Join("; ", Managers(real[i].Object))}], {(server.Is311 ? "Kubernetes 1.11 has none" : "")}; the simulator's [{string.Join("; ", Managers(simulated[i].Object))}]");
            }

            if (!server.Is311)
            {
                // The fields a create owns, and those two patches by one manager own (what they added and changed).
                Assert.Equal(Wire.Canonical(Fields(real[0].Object, "unknown")), Wire.Canonical(Fields(simulated[0].Object, "unknown")));
                Assert.Equal(Wire.Canonical(Fields(real[2].Object, "ciupgrade")), Wire.Canonical(Fields(simulated[2].Object, "ciupgrade")));
            }
        }
    }

    /// <summary>Every object the server hands out over a few writes, in order, with what handed it out.</summary>
    private static async Task<List<(string What, JsonObject Object)>> ObjectsAsync(ServerUnderTest server, string ns)
    {
        var maps = $"api/v1/namespaces/{ns}/configmaps";
        var streams = $"apis/image.openshift.io/v1/namespaces/{ns}/imagestreams";
        var objects = new List<(string, JsonObject)>();
        async Task AddAsync(string what, Task<Support.ApiAnswer> request)
        {
            var answer = await request;
            Assert.True(answer.Code is HttpStatusCode.OK or HttpStatusCode.Created, $"{server}, {what}: {answer}");
            if (answer.Object["items"] is JsonArray items)
            {
                objects.AddRange(items.Select((item, i) => ($"{what} item {i}", item!.AsObject())));
            }
            else
            {
                objects.Add((what, answer.Object));
            }
        }

        await AddAsync("create configmap", server.Admin.PostAsync(maps, JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m","labels":{"a":"b"}},"data":{"k":"v"}}""")!));
        await AddAsync("json patch", server.Admin.JsonPatchAsync($"{maps}/m?fieldManager=ciupgrade", """[{"op":"add","path":"/data/k2","value":"v2"}]"""));
        await AddAsync("merge patch", server.Admin.MergePatchAsync($"{maps}/m?fieldManager=ciupgrade", """{"data":{"k":"changed"}}"""));
        await AddAsync("get configmap", server.Admin.GetAsync($"{maps}/m"));
        await AddAsync("list configmaps", server.Admin.GetAsync(maps));
        await AddAsync("create imagestream", server.Admin.PostAsync(streams, JsonNode.Parse("""{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"s","annotations":{"x":"y"}}}""")!));
        await AddAsync("label imagestream", server.Admin.MergePatchAsync($"{streams}/s?fieldManager=ciupgrade", """{"metadata":{"labels":{"app":"3scale"}}}"""));
        await AddAsync("list imagestreams", server.Admin.GetAsync(streams));
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await foreach (var e in server.Admin.WatchAsync($"{streams}?watch=true", stop.Token))
        {
            objects.Add(("watch imagestreams", e["object"]!.AsObject()));
            break;
        }

        return objects;
    }

    /// <summary>
    /// Each entry's manager, operation, apiVersion, fieldsType and subresource (time and fields aside), sorted: the server
    /// orders entries by operation, then time in seconds, then manager, so two writes within one second swap places.
    /// </summary>
    private static List<string> Managers(JsonObject obj) =>
        ((obj["metadata"]?["managedFields"] as JsonArray) ?? [])
            .Select(e => $"{e!["manager"]} {e["operation"]} {e["apiVersion"]} {e["fieldsType"]} {e["subresource"]}".TrimEnd())
            .Order(StringComparer.Ordinal)
            .ToList();

    private static JsonNode? Fields(JsonObject obj, string manager) =>
        ((obj["metadata"]?["managedFields"] as JsonArray) ?? []).FirstOrDefault(e => (string?)e!["manager"] == manager)?["fieldsV1"];
}
