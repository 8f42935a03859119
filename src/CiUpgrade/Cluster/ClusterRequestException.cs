using System.Net;

namespace CiUpgrade.Cluster;

/// <summary>An API answer the stage itself must decide about (404, 409 Conflict, 422 Invalid...).</summary>
public sealed class ClusterRequestException(HttpStatusCode statusCode, string? reason, string message, Exception inner) : Exception(message, inner)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public string? Reason { get; } = reason;

    /// <summary>The object the request named, when it named one.</summary>
    public string? Object { get; init; }

    /// <summary>
    /// The path of the JSON-patch `test` the server said failed, when it said which: only a Kubernetes 1.10–1.12 server
    /// (OpenShift 3.11) names it, in its 500 (<see cref="ApiErrorMapping.FailedTestPath"/>); later ones answer a bare 422.
    /// </summary>
    public string? FailedTest { get; init; }

    /// <summary>A JSON patch the server refused to apply to the object as stored (422, or 3.11's 500 for a failed `test`): its guard failed.</summary>
    public bool GuardFailed { get; init; }

    /// <summary>The object as the server held it right after refusing a guarded patch (its JSON as sent), when it could be read.</summary>
    public string? Stored { get; init; }
}
