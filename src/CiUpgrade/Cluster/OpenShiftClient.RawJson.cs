using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace CiUpgrade.Cluster;

/// <summary>Untyped reads for backups: the JSON as the server sent it (no model drops a field), and discovery.</summary>
public sealed partial class OpenShiftClient
{
    /// <summary>The raw JSON of every object of a kind, for backups that must lose no field (paged, see <see cref="ListPagesAsync"/>).</summary>
    public async Task<JsonArray> ListRawAsync(string group, string version, string plural, CancellationToken ct)
    {
        var all = new JsonArray();
        await foreach (var page in ListPagesAsync(group, version, plural, ct))
        {
            foreach (var item in page.ToList())
            {
                page.Remove(item);
                all.Add(item);
            }
        }

        return all;
    }

    /// <summary>
    /// The objects of a kind in the namespace, one page at a time: LIST with `limit` and `continue` (API chunking,
    /// on by default since Kubernetes 1.9, so OpenShift 3.11 pages too; a server that ignores `limit` answers
    /// everything in one page without a continue token, which ends the loop just the same). Pages are handed out as
    /// they come, so a continue token the server has compacted meanwhile (410 Expired) fails the call: rerun.
    /// </summary>
    public async IAsyncEnumerable<JsonArray> ListPagesAsync(string group, string version, string plural, [EnumeratorCancellation] CancellationToken ct, int limit = 500)
    {
        string? token = null;
        do
        {
            var query = $"limit={limit}" + (token is null ? string.Empty : $"&continue={Uri.EscapeDataString(token)}");
            var page = await GetJsonAsync($"{ResourcePrefix(group, version)}/namespaces/{Namespace}/{plural}?{query}", $"list {plural}", plural, group, ct) as JsonObject;
            token = BackupText(page?["metadata"]?["continue"]);
            yield return page?["items"] as JsonArray ?? [];
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>The resource names a group version serves (discovery), or null when the server does not serve it (404).</summary>
    public async Task<IReadOnlySet<string>?> ServedResourcesAsync(string group, string version, CancellationToken ct)
    {
        try
        {
            var list = await GetJsonAsync(ResourcePrefix(group, version), "get discovery", group.Length == 0 ? version : $"{group}/{version}", group, ct);
            return (list?["resources"] as JsonArray ?? []).Select(r => BackupText(r?["name"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static string? BackupText(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A GET whose answer is read as JSON (no typed model: what is saved must keep every field).</summary>
    private Task<JsonNode?> GetJsonAsync(string relative, string action, string resource, string group, CancellationToken ct) =>
        CallAsync(action, resource, group, async () =>
        {
            using var response = await GetAsync(relative, action, null, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await JsonNode.ParseAsync(body, cancellationToken: ct);
        });
}
