using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Api;

/// <summary>A failed request, answered as a Kubernetes Status object (k8s.io/apimachinery/pkg/api/errors).</summary>
public sealed class ApiError(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    public int? RetryAfterSeconds { get; init; }

    /// <summary>A continue token for the Status's metadata (a 410 on an expired chunked LIST offers one for the rest).</summary>
    public string? ListContinue { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = ListContinue is null ? new JsonObject() : new JsonObject { ["continue"] = ListContinue },
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        var details = Details?.DeepClone().AsObject();
        if (RetryAfterSeconds is { } seconds)
        {
            details ??= [];
            details["retryAfterSeconds"] = seconds;
        }

        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = Code;
        return status;
    }

    public static JsonObject DetailsFor(string? name, string group, string kindPlural) =>
        name is null ? new JsonObject { ["group"] = group, ["kind"] = kindPlural } : new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kindPlural };
}
