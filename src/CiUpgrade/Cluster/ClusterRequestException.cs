using System.Net;

namespace CiUpgrade.Cluster;

/// <summary>An API answer the stage itself must decide about (404, 409 Conflict, 422 Invalid...).</summary>
public sealed class ClusterRequestException(HttpStatusCode statusCode, string? reason, string message, Exception inner) : Exception(message, inner)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public string? Reason { get; } = reason;

    /// <summary>The object the request named, when it named one.</summary>
    public string? Object { get; init; }
}
