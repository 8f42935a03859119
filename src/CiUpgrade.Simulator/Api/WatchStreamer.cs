using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Storage;
using Microsoft.AspNetCore.Http;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// A watch as the kube-apiserver watch cache serves it: a chunked stream of one JSON event per line;
/// resourceVersion unset or "0" starts with ADDED for every current object; an expired resourceVersion
/// gets one ERROR event carrying a 410 Status (reason Gone on 1.11, Expired later); the stream ends at timeoutSeconds.
/// A server that has watch bookmarks (1.16+) sends, when the client asked for them (allowWatchBookmarks), a BOOKMARK
/// with the newest resourceVersion whenever the events it skipped (not matching the selectors) moved past the
/// last one it sent: the real watch cache sends them on a timer (about once a minute), this one as soon as the
/// skipped events are drained, so tests see them without waiting. A 1.11 server ignores the parameter.
/// </summary>
internal static class WatchStreamer
{
    public static async Task StreamAsync(HttpContext ctx, ResourceRegistry registry, ResourcePath target, HttpFaults faults, ServerVersion version, CancellationToken cancellationToken)
    {
        var query = ctx.Request.Query;
        var filter = Selectors.Parse(query["labelSelector"], query["fieldSelector"]);
        var timeout = int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var t) && t > 0 ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);

        // Checked before the 200 goes out: kube-apiserver refuses a watch whose resourceVersion is not a number
        // with a 400 BadRequest Status (seen side by side with a real apiserver; the storage versioner,
        // k8s.io/apiserver pkg/storage APIObjectVersioner.ParseResourceVersion, cannot parse it), never a stream.
        var rvText = query["resourceVersion"].ToString();
        long? from = null;
        if (rvText is not ("" or "0"))
        {
            from = long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new ApiError(400, "BadRequest", $"invalid resource version \"{rvText}\"");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, faults.WatchesCut);
        stop.CancelAfter(timeout);
        try
        {
            await StreamAsync(ctx, registry, target, faults, version, filter, from, stop.Token, cancellationToken);
        }
        finally
        {
            // However the stream ended (the client left, the timeout, a dropped watch, a 410), cancel before the
            // source is disposed: that is what unsubscribes from the store. A disposed, never-cancelled token
            // would leave the subscription, and its unbounded backlog of every later event, behind for good.
            await stop.CancelAsync();
        }
    }

    private static async Task StreamAsync(HttpContext ctx, ResourceRegistry registry, ResourcePath target, HttpFaults faults, ServerVersion version,
        Func<JsonObject, bool> filter, long? from, CancellationToken stopToken, CancellationToken cancellationToken)
    {
        var query = ctx.Request.Query;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.StartAsync(cancellationToken);
        var strategy = registry.StrategyFor(target.Type.Plural);
        var sent = 0;
        async Task<bool> SendAsync(string type, JsonObject obj)
        {
            if (faults.DropWatchesAfterEvents is { } limit && sent >= limit)
            {
                // The stream ends early, as when a load balancer or an apiserver restart cuts a watch:
                // the client must resume from the last resourceVersion it saw.
                return false;
            }

            var line = new JsonObject { ["type"] = type, ["object"] = obj }.ToJsonString(RequestHandler.Wire) + "\n";
            await ctx.Response.WriteAsync(line, stopToken);
            await ctx.Response.Body.FlushAsync(stopToken);
            sent++;
            return true;
        }

        var bookmarks = version.SendsBookmarks && query["allowWatchBookmarks"] == "true";
        var expired = from is not null && faults.TakeWatchExpiry(ctx.Request.Path.Value ?? string.Empty);
        if (from is null)
        {
            var (items, rv) = registry.List(target.Type.Plural, target.Namespace);
            from = rv;
            foreach (var item in items.Where(filter))
            {
                if (!await SendAsync("ADDED", RequestHandler.WithKind(item, target)))
                {
                    return;
                }
            }
        }

        System.Threading.Channels.ChannelReader<StoredEvent> events;
        try
        {
            if (expired)
            {
                // Same message as the store's own (the watch cache's "too old resource version: %d (%d)").
                throw new StoreException(StoreError.Gone, $"too old resource version: {from} ({registry.Store.CurrentResourceVersion})");
            }

            events = registry.Store.Watch(target.Type.Plural, target.Namespace, from, stopToken);
        }
        catch (StoreException e) when (e.Error == StoreError.Gone)
        {
            await SendAsync("ERROR", new ApiError(410, version.ExpiredReason, e.Message).ToStatus());
            return;
        }

        try
        {
            await foreach (var e in events.ReadAllAsync(stopToken))
            {
                var obj = e.Item;
                strategy.Decorate(obj);
                if (!filter(obj))
                {
                    if (bookmarks && !events.TryPeek(out _) && !await SendAsync("BOOKMARK", Bookmark(target, e.ResourceVersion)))
                    {
                        return;
                    }

                    continue;
                }

                var type = e.Type switch { WatchEventType.Added => "ADDED", WatchEventType.Modified => "MODIFIED", _ => "DELETED" };
                if (!await SendAsync(type, RequestHandler.WithKind(obj, target)))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // timeoutSeconds reached: the server ends the stream cleanly and the client resumes.
        }
    }

    /// <summary>A BOOKMARK's object: the watched kind with only metadata.resourceVersion set.</summary>
    private static JsonObject Bookmark(ResourcePath target, long resourceVersion) => new()
    {
        ["kind"] = target.Type.Kind,
        ["apiVersion"] = target.Type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
    };
}
