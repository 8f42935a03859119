using System.Net;
using Polly;
using Polly.Retry;

namespace CiUpgrade.Cluster;

/// <summary>
/// Retries what a busy or restarting API server answers (429 honouring Retry-After, 500, 502, 503, 504) a few times,
/// and connections that fail, are reset or drop mid-answer (a proxy's RST, a control-plane restart) for as long as the
/// <see cref="ApiOutage"/> budget allows, with jittered exponential backoff, through Polly's retry strategy. Every
/// request ciupgrade sends is safe to resend: reads, and writes guarded by `test` ops (resourceVersion) or
/// create-if-absent; the one exception, a binary build upload, is marked <see cref="SendOnce"/> and never resent.
/// A 500 that says a JSON-patch `test` failed (OpenShift 3.11's answer to a refused guard,
/// <see cref="ApiErrorMapping.FailedTestPath"/>) is not transient: it goes up at once for the stage to re-read the object.
/// The answer's body is read inside the retry (watches excepted), so a connection reset while the body arrives is
/// retried like one reset before the headers: buffered whole, or, for a request that says how (<see cref="ReadAnswer"/>:
/// a LIST page of megabytes), read straight into its objects.
/// </summary>
internal sealed class TransientRetryHandler : DelegatingHandler
{
    private static readonly HashSet<HttpStatusCode> Transient =
        [HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    /// <summary>Marks a request that must not be resent (a binary build upload: not idempotent, and too big to buffer).</summary>
    public static readonly HttpRequestOptionsKey<bool> SendOnce = new("ciupgrade.send-once");

    /// <summary>
    /// How a successful answer's body becomes objects, read as it arrives inside the retry instead of buffered first (the
    /// answer handed up then holds them: <see cref="ParsedAnswer"/>). Any other answer is buffered as usual.
    /// </summary>
    public static readonly HttpRequestOptionsKey<Func<Stream, CancellationToken, object?>> ReadAnswer = new("ciupgrade.read-answer");

    /// <summary>Answers with a transient status are retried this many times; then the last answer goes up (exit 3).</summary>
    public const int MaxStatusRetries = 6;

    /// <summary>One attempt (until the headers of a watch, until the whole body otherwise) waits this long for the server.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(60);

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ApiOutage _outage;

    public TransientRetryHandler(ApiOutage outage, TimeSpan? baseDelay = null)
    {
        _outage = outage;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // Bounded by the predicate: MaxStatusRetries for answers, the outage budget for connection failures.
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay ?? TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.AttemptNumber, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private static readonly ResiliencePropertyKey<string> ServerKey = new("ciupgrade.server");

    private static readonly ResiliencePropertyKey<bool> GuardRefusedKey = new("ciupgrade.guard-refused");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(SendOnce, out var once) && once)
        {
            var response = await base.SendAsync(request, cancellationToken);
            _outage.Reached();
            return response;
        }

        // Buffer the body once so every attempt can resend it.
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var contentHeaders = request.Content?.Headers.ToList();
        var streaming = IsWatch(request.RequestUri);
        var reader = request.Options.TryGetValue(ReadAnswer, out var read) ? read : null;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ServerKey, request.RequestUri?.GetLeftPart(UriPartial.Authority) ?? "?");
        try
        {
            return await _pipeline.ExecuteAsync(async (ctx, _) =>
            {
                if (body is not null)
                {
                    var content = new ByteArrayContent(body);
                    foreach (var header in contentHeaders!)
                    {
                        content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }

                    request.Content = content;
                }

                // A server that accepted the connection but never answers counts as unreachable too.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ctx.CancellationToken);
                attempt.CancelAfter(AttemptTimeout);
                HttpResponseMessage? response = null;
                try
                {
                    response = await base.SendAsync(request, attempt.Token);
                    if (reader is not null && response.IsSuccessStatusCode)
                    {
                        object? value;
                        await using (var body = await response.Content.ReadAsStreamAsync(attempt.Token))
                        {
                            value = reader(body, attempt.Token);
                        }

                        response.Content.Dispose();
                        response.Content = new ParsedAnswer(value);
                    }
                    else if (!streaming)
                    {
                        await response.Content.LoadIntoBufferAsync(attempt.Token);
                        if (response.StatusCode == HttpStatusCode.InternalServerError && request.Method == HttpMethod.Patch
                            && ApiErrorMapping.FailedTestPathOf(await response.Content.ReadAsStringAsync(attempt.Token)) is not null)
                        {
                            // OpenShift 3.11's answer to a failed JSON-patch `test`: the same answer every time, for the stage to re-read.
                            ctx.Properties.Set(GuardRefusedKey, true);
                        }
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !ctx.CancellationToken.IsCancellationRequested)
                {
                    response?.Dispose();
                    throw e is OperationCanceledException
                        ? new HttpRequestException($"no answer within {DurationText.Format(AttemptTimeout)}", e)
                        : ApiErrorMapping.IsCertificateRejection(e) ? e
                        : new HttpRequestException($"the connection was lost: {e.Message}", e);
                }

                _outage.Reached();
                return response;
            }, context, 0);
        }
        catch (IOException e)
        {
            throw new HttpRequestException(e.Message, e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, int attempt, ResilienceContext context)
    {
        if (outcome.Exception is { } rejected && ApiErrorMapping.IsCertificateRejection(rejected))
        {
            return false;
        }

        if (outcome.Exception is HttpRequestException or IOException && !context.CancellationToken.IsCancellationRequested)
        {
            return _outage.Failed(context.Properties.GetValue(ServerKey, "?"), outcome.Exception);
        }

        if (context.Properties.TryGetValue(GuardRefusedKey, out var refused) && refused)
        {
            return false;
        }

        return outcome.Result is { } response && Transient.Contains(response.StatusCode) && attempt < MaxStatusRetries;
    }

    /// <summary>A watch streams its answer for minutes: only its headers are awaited (KubernetesClient's lists send watch=false).</summary>
    private static bool IsWatch(Uri? uri) =>
        uri?.Query.TrimStart('?').Split('&').Any(p => p is "watch=true" or "watch=1") == true;

    /// <summary>The server's Retry-After (429/503), else null for the exponential default.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var retryAfter = response?.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }
}
