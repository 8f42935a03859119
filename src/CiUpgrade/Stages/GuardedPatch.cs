using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster;

namespace CiUpgrade.Stages;

/// <summary>
/// How every mutating stage writes: read the object, compute the JSON patch from what it holds now (guarded by
/// `test` ops, empty when nothing is left to do), send it; when the object changed in between, the guard fails
/// (409/422, or OpenShift 3.11's 500 for a failed `test`): read again and recompute, up to five attempts. A rerun after
/// a crash therefore sends only what is left. A guard refused while the object did not change is a bug, reported at once.
/// </summary>
public sealed class GuardedPatch(StageContext context, string stage)
{
    private const int MaxAttempts = 5;

    /// <param name="name">The object, as the progress lines name it.</param>
    /// <param name="read">Reads the object and computes the patch; throws when the object is gone.</param>
    /// <param name="send">Sends the patch (with server-side dry run when <paramref name="dryRun"/>) and returns the result.</param>
    /// <param name="unchanged">The line printed when no patch is needed.</param>
    /// <param name="fields">Extra JSON-output fields of the patch event (the patch itself is added); null for none.</param>
    /// <param name="ct">Cancels the server version read a dry run needs.</param>
    /// <remarks>A dry run against a server without server-side dry run (Kubernetes &lt; 1.13) prints the patch and sends nothing.</remarks>
    public async Task<T> ApplyAsync<T>(string name, Func<Task<(T Current, JsonArray Ops)>> read, Func<JsonArray, Task<T>> send,
        string unchanged, bool dryRun = false, IReadOnlyDictionary<string, string>? fields = null, CancellationToken ct = default)
    {
        var sendDryRun = dryRun && await context.ServerValidatesDryRunAsync(stage, ct);
        for (var attempt = 1; ; attempt++)
        {
            var (current, ops) = await read();
            if (ops.Count == 0)
            {
                context.Reporter.Event(stage, "unchanged", unchanged);
                return current;
            }

            var eventFields = fields is null ? null : new Dictionary<string, string>(fields) { ["patch"] = GoJsonEncoding.Serialize(ops) };
            if (dryRun && !sendDryRun)
            {
                context.Reporter.Event(stage, "dryRun", $"{name}: would send JSON patch {GoJsonEncoding.Serialize(ops)} (not sent, not validated by the server)", eventFields);
                return current;
            }

            try
            {
                var patched = await send(ops);
                context.Reporter.Event(stage, dryRun ? "dryRun" : "patched", $"{name}: {(dryRun ? "would send" : "sent")} JSON patch {GoJsonEncoding.Serialize(ops)}", eventFields);
                return patched;
            }
            catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.Conflict || e.GuardFailed)
            {
                if (GuardNeverPasses(name, ops, e) is { } bug)
                {
                    throw bug;
                }

                if (attempt >= MaxAttempts)
                {
                    throw new UpgradeException(ExitCode.WrongClusterState,
                        $"{name}: still changing under us after {MaxAttempts} attempts ({e.Message}): another client keeps writing it; rerun the stage once it is left alone", e);
                }

                context.Reporter.Event(stage, "retry", $"{name}: changed while patching ({(e.FailedTest is null ? e.StatusCode.ToString() : $"test of {e.FailedTest} failed")}); reading it again");
            }
        }
    }

    /// <summary>
    /// A refused guard while the object's resourceVersion did not move (the server's copy, read right after, still has
    /// the one the patch tests): nobody changed it, so reading it again would compute the same patch and be refused
    /// again. That is a bug, named as one: the `test` whose value the server spells differently from what was sent
    /// (it compares raw bytes, <see cref="GoJsonEncoding"/>), or the server's own reason when every `test` reads alike.
    /// </summary>
    private static UpgradeException? GuardNeverPasses(string name, JsonArray ops, ClusterRequestException e)
    {
        var tested = ops.OfType<JsonObject>().FirstOrDefault(o => (string?)o["op"] == "test" && (string?)o["path"] == "/metadata/resourceVersion");
        if (e.Stored is null || tested?["value"] is not JsonValue testedVersion)
        {
            return null;
        }

        using var stored = JsonDocument.Parse(e.Stored);
        var version = Pointer(stored.RootElement, "/metadata/resourceVersion");
        if (version is not { ValueKind: JsonValueKind.String } v || v.GetString() != testedVersion.ToString())
        {
            return null;
        }

        foreach (var op in ops.OfType<JsonObject>().Where(o => (string?)o["op"] == "test"))
        {
            var path = (string?)op["path"] ?? string.Empty;
            var held = Pointer(stored.RootElement, path);
            var sent = GoJsonEncoding.Serialize(op["value"]);
            if (held is null || !SameBytes(held.Value, op["value"]))
            {
                return new UpgradeException(ExitCode.WrongClusterState,
                    $"{name}: the server refused the `test` of {path} although nothing changed the object (resourceVersion {v.GetString()} did not move): it holds {(held is null ? "nothing there" : held.Value.GetRawText())}, ciupgrade sent {sent}. "
                    + "The server compares the two as bytes and they are spelled differently: a bug in ciupgrade, not another client; report it with this line", e);
            }
        }

        return new UpgradeException(ExitCode.WrongClusterState,
            $"{name}: the server refused the patch ({e.Message}) although nothing changed the object (resourceVersion {v.GetString()} did not move) and every `test` reads as sent: not another client; check the object, and report it as a bug in ciupgrade if it is as the stage expects", e);
    }

    /// <summary>
    /// evanphx/json-patch's lazyNode.equal with the stored value first: scalars by their raw bytes, arrays element by
    /// element, objects key by key of the stored one.
    /// </summary>
    private static bool SameBytes(JsonElement held, JsonNode? sent) => held.ValueKind switch
    {
        JsonValueKind.Object => sent is JsonObject obj && held.EnumerateObject().All(p => obj.TryGetPropertyValue(p.Name, out var value) && SameBytes(p.Value, value)),
        JsonValueKind.Array => sent is JsonArray array && held.GetArrayLength() == array.Count && held.EnumerateArray().Select((item, i) => SameBytes(item, array[i])).All(same => same),
        _ => held.GetRawText() == GoJsonEncoding.Serialize(sent),
    };

    /// <summary>The element a JSON pointer (RFC 6901) names, or null when there is none.</summary>
    private static JsonElement? Pointer(JsonElement root, string pointer)
    {
        var current = root;
        foreach (var token in pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }
}
