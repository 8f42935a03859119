using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// Server-side printing (meta.k8s.io/v1 Table) for `kubectl get`, with the columns `oc get` shows for
/// DeploymentConfigs and image streams and NAME/AGE for the rest.
/// </summary>
public static class TableConverter
{
    public static bool Wanted(string? accept) => accept?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject Convert(string kind, IEnumerable<JsonObject> items, string resourceVersion, DateTimeOffset now)
    {
        var (columns, cells) = Columns(kind);
        var rows = new JsonArray(items.Select(o => (JsonNode)new JsonObject
        {
            ["cells"] = new JsonArray(cells(o).Append(Age(o, now)).Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = o.Meta().DeepClone() },
        }).ToArray());
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = new JsonArray(columns.Append("Age").Select((c, i) => (JsonNode)new JsonObject
            {
                ["name"] = c,
                ["type"] = "string",
                ["format"] = i == 0 ? "name" : string.Empty,
                ["description"] = c,
                ["priority"] = 0,
            }).ToArray()),
            ["rows"] = rows,
        };
    }

    private static (string[] Columns, Func<JsonObject, IEnumerable<string>> Cells) Columns(string kind) => kind switch
    {
        "DeploymentConfig" => (["Name", "Revision", "Desired", "Current", "Triggered By"], o =>
        [
            o.Name(), o["status"].Long("latestVersion").ToString(CultureInfo.InvariantCulture),
            o["spec"].Long("replicas").ToString(CultureInfo.InvariantCulture), o["status"].Long("replicas").ToString(CultureInfo.InvariantCulture),
            string.Join(",", o["spec"]?["triggers"].Objects().Select(t => t.Str("type") == "ImageChange"
                ? "image(" + t["imageChangeParams"]?["from"].Str("name") + ")" : "config") ?? []),
        ]),
        "ImageStream" => (["Name", "Image Repository", "Tags", "Updated"], o =>
        [
            o.Name(), o["status"].Str("dockerImageRepository") ?? string.Empty,
            string.Join(",", o["status"]?["tags"].Objects().Select(t => t.Str("tag")) ?? []), string.Empty,
        ]),
        "Pod" => (["Name", "Ready", "Status", "Restarts"], o =>
        [
            o.Name(),
            $"{o["status"]?["containerStatuses"].Objects().Count(c => c.Bool("ready"))}/{o["spec"]?["containers"].Objects().Count()}",
            o["status"]?["containerStatuses"].Objects().Select(c => c["state"]?["waiting"].Str("reason")).FirstOrDefault(r => r is not null)
                ?? o["status"].Str("phase") ?? string.Empty,
            (o["status"]?["containerStatuses"].Objects().Sum(c => c.Long("restartCount")) ?? 0).ToString(CultureInfo.InvariantCulture),
        ]),
        "ReplicationController" => (["Name", "Desired", "Current", "Ready"], o =>
        [
            o.Name(), o["spec"].Long("replicas").ToString(CultureInfo.InvariantCulture),
            o["status"].Long("replicas").ToString(CultureInfo.InvariantCulture), o["status"].Long("readyReplicas").ToString(CultureInfo.InvariantCulture),
        ]),
        _ => (["Name"], o => [o.Name()]),
    };

    private static string Age(JsonObject o, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(o.Meta().Str("creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        var age = now - created;
        return age.TotalDays >= 1 ? $"{(int)age.TotalDays}d" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h" : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m" : $"{Math.Max(0, (int)age.TotalSeconds)}s";
    }
}
