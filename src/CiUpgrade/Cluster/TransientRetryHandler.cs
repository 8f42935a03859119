using System.Net;
using Polly;
using Polly.Retry;

namespace CiUpgrade.Cluster;

/// <summary>
/// Retries what a busy or restarting API server answers (429 honouring Retry-After, 500, 502, 503, 504) and
/// dropped connections, with exponential backoff, through Polly's retry strategy. Requests are safe to resend:
/// GETs are idempotent and every PATCH we send is guarded by a `test` on resourceVersion.
/// </summary>
internal sealed class TransientRetryHandler : DelegatingHandler
{
    private static readonly HashSet<HttpStatusCode> Transient =
        [HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout];

    /// <summary>Marks a request that must not be resent (a binary build upload: not idempotent, and too big to buffer).</summary>
    public static readonly HttpRequestOptionsKey<bool> SendOnce = new("ciupgrade.send-once");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public TransientRetryHandler(int maxAttempts = 6, TimeSpan? baseDelay = null)
    {
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = maxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay ?? TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(r => Transient.Contains(r.StatusCode)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(SendOnce, out var once) && once)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        // Buffer the body once so every attempt can resend it.
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var contentHeaders = request.Content?.Headers.ToList();
        return await _pipeline.ExecuteAsync(async ct =>
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

            return await base.SendAsync(request, ct);
        }, cancellationToken);
    }

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
