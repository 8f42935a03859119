using System.Globalization;
using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Registry;

/// <summary>
/// metadata.managedFields, as every API server since Kubernetes 1.18 keeps them for each write (server-side apply's
/// field manager, k8s.io/apiserver pkg/endpoints/handlers/fieldmanager): one entry per manager and operation with the
/// fields it set, in FieldsV1. Modelled as kube-apiserver 1.26 answers in the wire conformance tests for the writes
/// ciupgrade makes: the manager is the request's `fieldManager`, else its User-Agent up to the first `/`, else
/// `unknown`; a create owns every field it sent (maps with their "." member), an update owns the fields it added or
/// changed and takes them from every other manager, a removed field leaves every set, a manager left with nothing is
/// dropped; a write through `/status` is an entry of its own with `subresource: status`. Simplified: lists are atomic
/// (the real server keys associative lists as `k:{…}`), and the only operation is Update (no server-side apply here).
/// Writes the simulator makes itself (seed, controllers) are by <see cref="InProcessManager"/>.
/// </summary>
public sealed class ManagedFields(TimeProvider time)
{
    /// <summary>The manager of writes no request made: OpenShift's controllers (and the seed).</summary>
    public const string InProcessManager = "openshift-controller-manager";

    private static readonly AsyncLocal<string?> Writer = new();

    /// <summary>metadata fields no manager owns (the server sets them).</summary>
    private static readonly HashSet<string> ServerMetadata =
        ["name", "namespace", "generateName", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"];

    /// <summary>Who the writes of the current request are by (set once per request; flows into everything it awaits).</summary>
    public static void WritesAreBy(string manager) => Writer.Value = manager;

    /// <summary>managerOrUserAgent in handlers/rest.go: the fieldManager parameter, else the User-Agent's prefix.</summary>
    public static string ManagerOf(string? fieldManager, string? userAgent)
    {
        if (!string.IsNullOrEmpty(fieldManager))
        {
            return fieldManager;
        }

        var prefix = (userAgent ?? string.Empty).Split('/')[0].Trim();
        return prefix.Length > 0 ? prefix : "unknown";
    }

    /// <summary>
    /// Sets <paramref name="updated"/>'s managedFields for this write over <paramref name="old"/> (null on create). An
    /// update that sends no managedFields keeps the stored ones (what a client that does not model them sends).
    /// </summary>
    public void Track(JsonObject updated, JsonObject? old, ResourceType type, bool status)
    {
        var meta = updated["metadata"] as JsonObject ?? [];
        updated["metadata"] = meta;
        var entries = meta["managedFields"] is JsonArray sent
            ? (JsonArray)sent.DeepClone()
            : old?["metadata"]?["managedFields"]?.DeepClone() as JsonArray ?? [];
        var before = old is null ? null : Owned(old, status);
        var after = Owned(updated, status);
        var changed = new JsonObject();
        var removed = new JsonObject();
        Diff(before, after, changed, removed, root: true);

        var manager = Writer.Value ?? InProcessManager;
        JsonObject? mine = null;
        foreach (var entry in entries.OfType<JsonObject>())
        {
            var fields = entry["fieldsV1"] as JsonObject ?? [];
            Subtract(fields, changed);
            Subtract(fields, removed);
            if ((string?)entry["manager"] == manager && (string?)entry["operation"] == "Update" && ((string?)entry["subresource"] == "status") == status)
            {
                mine = entry;
            }
        }

        if (changed.Count > 0)
        {
            if (mine is null)
            {
                mine = new JsonObject { ["manager"] = manager, ["operation"] = "Update", ["apiVersion"] = type.ApiVersion };
                entries.Add(mine);
            }

            mine["time"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            mine["fieldsType"] = "FieldsV1";
            var fields = mine["fieldsV1"] as JsonObject ?? [];
            mine.Remove("fieldsV1");
            Union(fields, changed);
            mine["fieldsV1"] = fields;
            if (status)
            {
                mine.Remove("subresource");
                mine["subresource"] = "status";
            }
        }

        foreach (var empty in entries.OfType<JsonObject>().Where(e => e["fieldsV1"] is not JsonObject { Count: > 0 }).ToList())
        {
            entries.Remove(empty);
        }

        if (entries.Count > 0)
        {
            // fieldmanager's encoder sorts the entries: by operation, time (seconds), manager, apiVersion, subresource.
            meta["managedFields"] = new JsonArray(entries.OfType<JsonObject>()
                .OrderBy(e => (string?)e["operation"], StringComparer.Ordinal)
                .ThenBy(e => (string?)e["time"], StringComparer.Ordinal)
                .ThenBy(e => (string?)e["manager"], StringComparer.Ordinal)
                .ThenBy(e => (string?)e["apiVersion"], StringComparer.Ordinal)
                .ThenBy(e => (string?)e["subresource"] ?? string.Empty, StringComparer.Ordinal)
                .Select(e => (JsonNode)e.DeepClone())
                .ToArray());
        }
        else
        {
            meta.Remove("managedFields");
        }
    }

    /// <summary>The part of an object a write through the main resource (or its status) sets.</summary>
    private static JsonObject Owned(JsonObject obj, bool status)
    {
        var owned = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key is "kind" or "apiVersion" || (key == "status") != status)
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject meta)
            {
                owned[key] = new JsonObject(meta.Where(p => !ServerMetadata.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
                continue;
            }

            owned[key] = value?.DeepClone();
        }

        return owned;
    }

    /// <summary>The fields added or changed (maps new here with their "." member) into <paramref name="changed"/>, those gone into <paramref name="removed"/>.</summary>
    private static void Diff(JsonObject? before, JsonObject after, JsonObject changed, JsonObject removed, bool root)
    {
        foreach (var (key, value) in after)
        {
            var field = "f:" + key;
            JsonNode? was = null;
            if (before?.TryGetPropertyValue(key, out was) == true && JsonNode.DeepEquals(was, value))
            {
                continue;
            }

            if (value is not JsonObject { Count: > 0 } map)
            {
                changed[field] = new JsonObject();
                continue;
            }

            var changedBelow = new JsonObject();
            var removedBelow = new JsonObject();
            if (was is not JsonObject && !(root && key == "metadata"))
            {
                // A map this write creates: it owns the map itself too.
                changedBelow["."] = new JsonObject();
            }

            Diff(was as JsonObject, map, changedBelow, removedBelow, root: false);
            if (changedBelow.Count > 0)
            {
                changed[field] = changedBelow;
            }

            if (removedBelow.Count > 0)
            {
                removed[field] = removedBelow;
            }
        }

        foreach (var (key, _) in before ?? [])
        {
            if (!after.ContainsKey(key))
            {
                removed["f:" + key] = new JsonObject();
            }
        }
    }

    /// <summary>Removes from <paramref name="set"/> every leaf of <paramref name="taken"/> (a leaf takes its whole subtree).</summary>
    private static void Subtract(JsonObject set, JsonObject taken)
    {
        foreach (var (key, value) in taken)
        {
            if (key == "." || !set.TryGetPropertyValue(key, out var mine) || mine is not JsonObject child)
            {
                continue;
            }

            if (value is JsonObject { Count: 0 })
            {
                set.Remove(key);
            }
            else if (value is JsonObject deeper)
            {
                Subtract(child, deeper);
            }
        }
    }

    private static void Union(JsonObject set, JsonObject more)
    {
        foreach (var (key, value) in more)
        {
            if (set[key] is JsonObject mine && value is JsonObject theirs)
            {
                Union(mine, theirs);
            }
            else
            {
                set[key] = value?.DeepClone();
            }
        }
    }
}
