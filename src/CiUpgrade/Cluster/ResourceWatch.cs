using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Polly;
using Polly.Retry;

namespace CiUpgrade.Cluster;

/// <summary>
/// The one watch code path of ciupgrade (DeploymentConfigs, image streams, pods, builds): the ADDED/MODIFIED
/// objects of a <see cref="WatchTarget"/> from a resourceVersion on, kept alive the way client-go's reflector does:
/// <list type="bullet">
/// <item>a watch that ends normally (its timeoutSeconds, or a drop after delivering events) is reopened at once from
/// the newest resourceVersion seen, of an object or of a BOOKMARK (asked for only when the server has them:
/// Kubernetes 1.16+, <see cref="ApiServerVersion.SupportsWatchBookmarks"/>);</item>
/// <item>after 410 Gone (a compaction, an API server restart), any error, or a watch closed before delivering
/// anything: a jittered exponential backoff (about 0.5 s doubling to 10 s, through Polly; reset by the next watch
/// that delivers), then a RELIST — a LIST with the same selectors whose items are yielded, so the consumer judges the
/// cluster as it is now — and a watch from the list's resourceVersion.</item>
/// </list>
/// So a broken watch neither storms the API server (review D6: 8,381 requests in 10 s) nor hides a change (the relist
/// shows it). 401/403 end it with the permission error (exit 3); nothing else does: the consumer's deadline ends it.
/// </summary>
public sealed class ResourceWatch<T>(OpenShiftClient client, WatchTarget target, TimeProvider? time = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The server closes each watch after this long (the client then reconnects from where it was).</summary>
    public const int TimeoutSeconds = 60;

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private string _resourceVersion = "0";
    private bool _relist;

    // How far the consumer has read: the newest resourceVersion among the objects it has finished with, and a pulse
    // replaced at each one (completed with false while no ChangesAsync runs). See DeliveredPastAsync.
    private long _deliveredUpTo;
    private TaskCompletionSource<bool> _delivered = Stopped();

    /// <summary>
    /// Why the newest attempt failed, for the consumer's timeout message; null once a watch delivers again (an event
    /// or a bookmark), not only when that watch ends (a watch runs up to <see cref="TimeoutSeconds"/>).
    /// </summary>
    public string? LastFailure { get; private set; }

    /// <summary>The delay before reconnect attempt <paramref name="attempt"/> (0-based) of a failure streak: 0.5 s · 2^n, capped at 10 s, ±20 % jitter.</summary>
    public static TimeSpan Backoff(int attempt, double random)
    {
        var nominal = Math.Min(MaxDelay.TotalSeconds, FirstDelay.TotalSeconds * Math.Pow(2, Math.Min(attempt, 16)));
        return TimeSpan.FromSeconds(Math.Min(MaxDelay.TotalSeconds, nominal * (0.8 + (0.4 * random))));
    }

    /// <summary>Changes from <paramref name="resourceVersion"/> on, until <paramref name="ct"/> is cancelled (then OperationCanceledException).</summary>
    public async IAsyncEnumerable<T> ChangesAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken ct)
    {
        _resourceVersion = resourceVersion;
        Volatile.Write(ref _delivered, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var loop = RunAsync(channel.Writer, stop.Token);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(ct))
            {
                yield return item;

                // The consumer asks for the next object only once it is done with this one.
                MarkDelivered(item.Metadata?.ResourceVersion);
            }

            // The loop ended by itself: a permission error (rethrown here) or cancellation.
            await loop;
            ct.ThrowIfCancellationRequested();
        }
        finally
        {
            Interlocked.Exchange(ref _delivered, Stopped()).TrySetResult(false);
            await stop.CancelAsync();
            await Task.WhenAny(loop);
        }
    }

    /// <summary>
    /// Completes once the consumer of <see cref="ChangesAsync"/> has finished with an object at or past
    /// <paramref name="resourceVersion"/>, or at once when no <see cref="ChangesAsync"/> runs (not yet, or no longer), or
    /// when the version is not a number. resourceVersions are compared as numbers, as etcd-backed servers issue them
    /// (Kubernetes calls them opaque; ciupgrade only uses the order to bound a wait, never to decide an outcome).
    /// </summary>
    public async Task DeliveredPastAsync(string? resourceVersion, CancellationToken ct)
    {
        if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var target))
        {
            return;
        }

        while (true)
        {
            // The pulse is read before the version: a delivery in between completes the pulse read here.
            var pulse = Volatile.Read(ref _delivered).Task;
            if (Interlocked.Read(ref _deliveredUpTo) >= target || !await pulse.WaitAsync(ct))
            {
                return;
            }
        }
    }

    private void MarkDelivered(string? resourceVersion)
    {
        if (long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > Interlocked.Read(ref _deliveredUpTo))
        {
            Interlocked.Exchange(ref _deliveredUpTo, version);
        }

        Interlocked.Exchange(ref _delivered, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(true);
    }

    private static TaskCompletionSource<bool> Stopped()
    {
        var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        stopped.SetResult(false);
        return stopped;
    }

    private async Task RunAsync(ChannelWriter<T> writer, CancellationToken ct)
    {
        try
        {
            var bookmarks = (await client.GetServerVersionAsync(ct)).SupportsWatchBookmarks;
            var pipeline = new ResiliencePipelineBuilder<bool> { TimeProvider = _time }
                .AddRetry(new RetryStrategyOptions<bool>
                {
                    MaxRetryAttempts = int.MaxValue,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                    {
                        { Exception: UpgradeException } => false,
                        { Exception: OperationCanceledException } when ct.IsCancellationRequested => false,
                        { Exception: not null } => true,
                        { Result: var progressed } => !progressed,
                    }),
                    DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(args.AttemptNumber, Random.Shared.NextDouble())),
                    OnRetry = args =>
                    {
                        _relist = true;
                        LastFailure = args.Outcome.Exception is { } e ? Describe(e) : "the server closed the watch before sending anything";
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                await pipeline.ExecuteAsync(async token => await AttemptAsync(writer, bookmarks, token), ct);
                LastFailure = null;
            }
        }
        catch (Exception e)
        {
            writer.TryComplete(e is OperationCanceledException ? null : e);
            throw;
        }
    }

    /// <summary>One relist (when due) and one watch; true when it made progress (delivered something or ran its full time).</summary>
    private async Task<bool> AttemptAsync(ChannelWriter<T> writer, bool bookmarks, CancellationToken ct)
    {
        if (_relist)
        {
            var (items, listVersion) = await ListAsync(ct);
            _resourceVersion = listVersion;
            _relist = false;
            foreach (var item in items)
            {
                await writer.WriteAsync(item, ct);
            }
        }

        var started = _time.GetTimestamp();
        var delivered = false;
        var query = $"watch=1{(bookmarks ? "&allowWatchBookmarks=true" : string.Empty)}&timeoutSeconds={TimeoutSeconds}"
            + $"&resourceVersion={Uri.EscapeDataString(_resourceVersion)}{target.SelectorQuery}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, $"{target.CollectionPath(client.Namespace)}?{query}"));
        using var response = await client.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, "watch", ct);
        using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var e = JsonNode.Parse(line);
            var obj = e?["object"];
            var version = (string?)obj?["metadata"]?["resourceVersion"];
            switch ((string?)e?["type"])
            {
                case "ERROR":
                    // 410 Gone/Expired: the resourceVersion was compacted away; anything else is a server error. Both relist.
                    throw new WatchFailedException($"{(int?)obj?["code"]} {(string?)obj?["reason"]}: {(string?)obj?["message"]}");
                case "BOOKMARK":
                    LastFailure = null;
                    _resourceVersion = version ?? _resourceVersion;
                    delivered = true;
                    break;
                case "ADDED" or "MODIFIED":
                    // The watch works again: a timeout from now on must not name the failure it recovered from (issue 22).
                    // Cleared before the object is handed on, so a consumer that has it never reads the old failure.
                    LastFailure = null;
                    await writer.WriteAsync(Deserialize(obj!), ct);
                    _resourceVersion = version ?? _resourceVersion;
                    delivered = true;
                    break;
                case "DELETED":
                    LastFailure = null;
                    _resourceVersion = version ?? _resourceVersion;
                    delivered = true;
                    break;
            }
        }

        // A watch that ran (nearly) its full timeoutSeconds ended normally even when nothing changed.
        return delivered || _time.GetElapsedTime(started) >= TimeSpan.FromSeconds(TimeoutSeconds / 2);
    }

    /// <summary>LIST with the same selectors: the current objects and the resourceVersion to watch from.</summary>
    private async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, $"{target.CollectionPath(client.Namespace)}?{target.SelectorQuery.TrimStart('&')}"));
        using var response = await client.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        await EnsureSuccessAsync(response, "list", ct);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        var items = (list?["items"] as JsonArray ?? []).Where(i => i is not null).Select(i => Deserialize(i!)).ToList();
        var version = (string?)list?["metadata"]?["resourceVersion"];
        return (items, string.IsNullOrEmpty(version) ? "0" : version);
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string verb, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var content = await response.Content.ReadAsStringAsync(ct);
        var error = ApiErrorMapping.Failed($"{verb} {target.Plural}", response, content);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw client.Translate(error, $"{verb} {target.Plural}", target.Plural, target.Group);
        }

        throw new WatchFailedException($"{verb} answered {(int)response.StatusCode} {response.StatusCode}", error);
    }

    private static T Deserialize(JsonNode node) => KubernetesJson.Deserialize<T>(node.ToJsonString());

    private static string Describe(Exception e) => e switch
    {
        WatchFailedException w => w.Message,
        JsonException => "the watch stream was not valid JSON: " + e.Message,
        _ => e.Message,
    };
}
