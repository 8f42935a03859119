using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The project backup of runbook §2.1: every kind of <see cref="ProjectKind.All"/> the server serves (discovery)
/// and the credentials may list, one file per kind (`&lt;resource&gt;.json`, a v1 List of re-appliable objects,
/// <see cref="ReappliableObject"/>), read page by page and written as it comes. A kind the server does not serve or
/// the credentials may not read is reported and listed in the manifest as skipped with the reason, unless rollback
/// needs it; a kind with no object gets no file (the guide checks that no file is empty).
/// </summary>
public sealed class ProjectExport(StageContext context, string stage)
{
    public async Task<(JsonArray Saved, JsonArray Skipped)> SaveAsync(BackupWriter writer, CancellationToken ct)
    {
        var saved = new JsonArray();
        var skipped = new JsonArray();
        var discovery = new Dictionary<string, Task<IReadOnlySet<string>?>>(StringComparer.Ordinal);
        Task<IReadOnlySet<string>?> Served(string groupVersion)
        {
            if (!discovery.TryGetValue(groupVersion, out var served))
            {
                var (group, version) = ProjectKind.Split(groupVersion);
                discovery[groupVersion] = served = context.Client.ServedResourcesAsync(group, version, ct);
            }

            return served;
        }

        // Every kind's first group version is asked at once (independent GETs on one HTTP/2 connection, each needed
        // anyway); a fallback (batch/v1beta1 where batch/v1 is not served) only when needed, as before.
        foreach (var kind in ProjectKind.All)
        {
            _ = Served(kind.GroupVersions[0]);
        }

        foreach (var kind in ProjectKind.All)
        {
            string? groupVersion = null;
            foreach (var candidate in kind.GroupVersions)
            {
                var served = await Served(candidate);
                if (served?.Contains(kind.Resource) == true)
                {
                    groupVersion = candidate;
                    break;
                }
            }

            if (groupVersion is null)
            {
                var reason = $"not served by this server (no {kind.Resource} in {string.Join(" or ", kind.GroupVersions)})";
                if (kind.NeededByRollback)
                {
                    throw new UpgradeException(ExitCode.WrongClusterState, $"cannot back up {kind.Resource}: {reason}; rollback needs them");
                }

                Skip(skipped, kind, reason);
                continue;
            }

            try
            {
                var count = await SaveKindAsync(writer, kind, groupVersion, ct);
                var entry = new JsonObject { ["kind"] = kind.Kind, ["apiVersion"] = groupVersion, ["resource"] = kind.Resource, ["count"] = count };
                if (count > 0)
                {
                    entry["file"] = kind.File;
                }

                saved.Add((JsonNode)entry); // JsonNode: the generic Add<T> of a JsonObject is not AOT-safe
            }
            catch (UpgradeException e) when (!kind.NeededByRollback && OpenShiftClient.IsForbidden(e))
            {
                Skip(skipped, kind, $"forbidden: the credentials may not list {kind.Resource} (grant list on {kind.Resource} to back them up)");
            }
        }

        return (saved, skipped);
    }

    private void Skip(JsonArray skipped, ProjectKind kind, string reason)
    {
        skipped.Add((JsonNode)new JsonObject { ["kind"] = kind.Kind, ["resource"] = kind.Resource, ["reason"] = reason });
        context.Reporter.Event(stage, "skipped", $"{kind.Resource}: {reason}");
    }

    private async Task<int> SaveKindAsync(BackupWriter writer, ProjectKind kind, string groupVersion, CancellationToken ct)
    {
        var (group, version) = ProjectKind.Split(groupVersion);
        var count = 0;
        var stream = writer.Create(kind.File);
        await using (stream.ConfigureAwait(false))
        {
            await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("apiVersion", "v1");
            json.WriteString("kind", "List");
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            json.WriteStartArray("items");
            await foreach (var page in context.Client.ListPagesAsync(group, version, kind.Resource, ct))
            {
                foreach (var item in page.OfType<JsonObject>())
                {
                    ReappliableObject.From(item, kind.Kind, groupVersion).WriteTo(json);
                    count++;
                }

                await json.FlushAsync(ct);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        if (count == 0)
        {
            writer.Discard(kind.File);
        }
        else
        {
            writer.Record(kind.File, stream, new JsonObject { ["kind"] = kind.Kind, ["count"] = count });
        }

        return count;
    }
}
