using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CiUpgrade.Cluster;

/// <summary>
/// The one place where what the API server answered becomes what the user reads and the exit code (docs/stages.md
/// "Exit codes"): 401/403 → 3 (credentials, permission); 429 and 5xx, which reach here only after the last retry → 3 (the
/// cluster cannot serve us); 404, 409, 422 and any other answer stay a <see cref="ClusterRequestException"/> for the
/// stage to decide on (a missing object may be fine), and those the stage does not handle become exit 4 through
/// <see cref="ForUser"/>, naming the object.
/// </summary>
public static class ApiErrorMapping
{
    /// <summary>Ends the action of a request across every namespace, so a denial names the cluster-scoped grant.</summary>
    public const string AllNamespaces = " in all namespaces";

    public static Exception Translate(HttpOperationException e, string server, string ns, string action, string resource, string group, string? name)
    {
        var status = TryStatus(e.Response.Content);
        var message = status?.Message ?? e.Message;
        var code = e.Response.StatusCode;
        var what = name is null ? action : $"{action} {name}";
        return code switch
        {
            HttpStatusCode.Unauthorized => new UpgradeException(ExitCode.ClusterUnreachable,
                $"the API server at {server} rejected the credentials (401 Unauthorized): log in again or use a valid token in the kubeconfig", e),
            // A cluster-wide LIST (drift --all-namespaces) needs a ClusterRole: a namespaced Role cannot grant it.
            HttpStatusCode.Forbidden when action.EndsWith(AllNamespaces, StringComparison.Ordinal) => new UpgradeException(ExitCode.ClusterUnreachable,
                $"permission denied: {message} — grant \"{action.Split(' ')[0]}\" on \"{resource}\" (API group \"{group}\") in all namespaces, which a namespaced Role cannot: bind a ClusterRole with a ClusterRoleBinding (tekton/rbac/drift-all-namespaces.yaml)", e),
            HttpStatusCode.Forbidden => new UpgradeException(ExitCode.ClusterUnreachable,
                $"permission denied: {message} — grant \"{action.Split(' ')[0]}\" on \"{resource}\" (API group \"{group}\") in namespace {ns} (see tekton/rbac)", e),
            // Kubernetes 1.10-1.12 (OpenShift 3.11) pass a failed JSON-patch `test` through as a 500: a refused guard, not an outage.
            HttpStatusCode.InternalServerError when FailedTestPath(message) is { } path => new ClusterRequestException(code, status?.Reason, $"{what}: {(int)code}: {message}", e)
            {
                Object = name,
                FailedTest = path,
                GuardFailed = true,
            },
            HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError => new UpgradeException(ExitCode.ClusterUnreachable,
                $"the API server at {server} could not serve {what}: {(int)code} {status?.Reason ?? code.ToString()}: {message} (still failing after {TransientRetryHandler.MaxStatusRetries} retries); check the cluster's health and rerun the stage", e),
            _ => new ClusterRequestException(code, status?.Reason, $"{what}: {(int)code} {status?.Reason ?? code.ToString()}: {message}", e) { Object = name },
        };
    }

    /// <summary>
    /// The JSON pointer of a failed `test` op, when a Status message says one failed: evanphx/json-patch's "Testing value
    /// PATH failed" (lower-case "testing" since v4.2), which the Kubernetes 1.10–1.12 patch handler passes through
    /// unwrapped (k8s.io/apiserver pkg/endpoints/handlers/patch.go, interpretPatchError's default case) and
    /// responsewriters.ErrorToAPIStatus then answers as 500 with the error text as message and no reason. From
    /// Kubernetes 1.13.4/1.12.6/1.11.8 (the CVE-2019-1002100 fix) the handler wraps it as a 422 Invalid instead.
    /// </summary>
    public static string? FailedTestPath(string? message)
    {
        const string prefix = "esting value ";
        if (message is null || message.Length < prefix.Length + 1 || char.ToLowerInvariant(message[0]) != 't'
            || string.CompareOrdinal(message, 1, prefix, 0, prefix.Length) != 0)
        {
            return null;
        }

        var end = message.IndexOf(" failed", prefix.Length + 1, StringComparison.Ordinal);
        return end < 0 ? null : message[(prefix.Length + 1)..end];
    }

    /// <summary>FailedTestPath of a Status body (a 500 answer read before it is retried).</summary>
    public static string? FailedTestPathOf(string? content) => FailedTestPath(TryStatus(content)?.Message);

    /// <summary>
    /// A failed answer to a request sent by hand, raised as KubernetesClient raises one from its typed calls, so that
    /// <see cref="Translate"/> maps both the same way.
    /// </summary>
    public static HttpOperationException Failed(string action, HttpResponseMessage response, string content) =>
        new($"{action}: {response.StatusCode}") { Response = new HttpResponseMessageWrapper(response, content) };

    /// <summary>
    /// The TLS handshake refused the server's certificate (SslStream's AuthenticationException): not an outage, the
    /// same answer every time, so never retried.
    /// </summary>
    public static bool IsCertificateRejection(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    public static UpgradeException CertificateRejected(Exception e, string? server)
    {
        var reason = e;
        while (reason is not System.Security.Authentication.AuthenticationException && reason.InnerException is not null)
        {
            reason = reason.InnerException;
        }

        return new UpgradeException(ExitCode.ClusterUnreachable,
            $"the API server{(server is null ? string.Empty : $" at {server}")} presented a certificate that the kubeconfig's certificate authority does not verify ({reason.Message.TrimEnd('.')}): put the cluster's CA in the context's certificate-authority-data (oc login again), or choose the right --context", e);
    }

    /// <summary>An answer no stage handled: the cluster is not in a state the stage can act on (exit 4).</summary>
    public static UpgradeException ForUser(ClusterRequestException e, string ns)
    {
        var hint = e.StatusCode switch
        {
            HttpStatusCode.NotFound => $"it was deleted from namespace {ns} while the stage ran; restore it (or check -n/--namespace), then rerun the stage",
            HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity => "another client kept changing it; rerun the stage once it is left alone",
            _ when e.GuardFailed => "another client kept changing it; rerun the stage once it is left alone",
            _ => "the API server refused the request; check the object, then rerun the stage",
        };
        return new UpgradeException(ExitCode.WrongClusterState, $"{e.Message} — {hint}", e);
    }

    private static V1Status? TryStatus(string? content)
    {
        try
        {
            return string.IsNullOrEmpty(content) ? null : KubernetesJson.Deserialize<V1Status>(content);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
