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
        };
        if (Reason.Length > 0)
        {
            // metav1.Status.Reason is omitempty: ErrorToAPIStatus leaves it empty for an error that is not a Status.
            status["reason"] = Reason;
        }

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

    /// <summary>metav1.StatusDetails: name and group are omitempty, so a core resource's details carry no group.</summary>
    public static JsonObject DetailsFor(string? name, string group, string kindPlural)
    {
        var details = new JsonObject();
        if (name is not null)
        {
            details["name"] = name;
        }

        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kindPlural;
        return details;
    }
}
