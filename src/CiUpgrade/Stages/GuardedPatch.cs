using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster;

namespace CiUpgrade.Stages;

/// <summary>
/// How every mutating stage writes: read the object, compute the JSON patch from what it holds now (guarded by
/// `test` ops, empty when nothing is left to do), send it; when the object changed in between, the guard fails
/// (409/422): read again and recompute, up to five attempts. A rerun after a crash therefore sends only what is left.
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

            var eventFields = fields is null ? null : new Dictionary<string, string>(fields) { ["patch"] = ops.ToJsonString() };
            if (dryRun && !sendDryRun)
            {
                context.Reporter.Event(stage, "dryRun", $"{name}: would send JSON patch {ops.ToJsonString()} (not sent, not validated by the server)", eventFields);
                return current;
            }

            try
            {
                var patched = await send(ops);
                context.Reporter.Event(stage, dryRun ? "dryRun" : "patched", $"{name}: {(dryRun ? "would send" : "sent")} JSON patch {ops.ToJsonString()}", eventFields);
                return patched;
            }
            catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new UpgradeException(ExitCode.WrongClusterState,
                        $"{name}: still changing under us after {MaxAttempts} attempts ({e.Message}): another client keeps writing it; rerun the stage once it is left alone", e);
                }

                context.Reporter.Event(stage, "retry", $"{name}: changed while patching ({e.StatusCode}); reading it again");
            }
        }
    }
}
