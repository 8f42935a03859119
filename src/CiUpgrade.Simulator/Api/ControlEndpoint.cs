using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Auth;
using CiUpgrade.Simulator.Faults;
using Microsoft.AspNetCore.Http;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// The fault drill endpoint, on the API server's own port under a path no Kubernetes or OpenShift API uses:
/// GET /simulator/faults lists the knobs, POST /simulator/faults {"faults": ["stick-dc=zync:ImagePullBackOff", …]}
/// (or {"fault": "…"}) applies them in order, DELETE /simulator/faults resets every fault. Only the admin token
/// (the one the simulator writes into its kubeconfig) may use it: no token or an unknown one is 401, another user 403.
/// It bypasses the HTTP fault injector, so a drill can always be ended.
/// </summary>
internal sealed class ControlEndpoint(SimulatedCluster cluster)
{
    public const string Path = "/simulator/faults";

    /// <summary>The user behind the kubeconfig's admin token.</summary>
    internal const string AdminUser = "system:admin";

    public static bool Handles(string path) => path.StartsWith("/simulator/", StringComparison.Ordinal) || path == "/simulator";

    public async Task HandleAsync(HttpContext ctx, Identity identity, string? body)
    {
        if (identity.User != AdminUser)
        {
            throw new ApiError(403, "Forbidden", $"User \"{identity.User}\" cannot use the simulator's fault endpoint: it takes the admin token of the kubeconfig the simulator wrote");
        }

        if (ctx.Request.Path.Value?.TrimEnd('/') != Path)
        {
            throw new ApiError(404, "NotFound", $"the simulator's control endpoint is {Path}");
        }

        switch (ctx.Request.Method)
        {
            case "GET":
                await WriteAsync(ctx, 200, new JsonObject
                {
                    ["kind"] = "FaultKnobList",
                    ["knobs"] = new JsonArray(FaultKnobs.All.Select(k => (JsonNode)new JsonObject
                    {
                        ["name"] = k.Name,
                        ["usage"] = k.Usage.Length == 0 ? k.Name : $"{k.Name}={k.Usage}",
                        ["help"] = k.Help,
                    }).ToArray()),
                });
                break;
            case "POST":
                var specs = Specs(body);
                var actions = specs.Select(s => (Spec: s, Apply: Parse(s))).ToList();
                foreach (var (_, apply) in actions)
                {
                    apply(cluster);
                }

                await WriteAsync(ctx, 200, new JsonObject { ["kind"] = "FaultsApplied", ["applied"] = new JsonArray(specs.Select(s => (JsonNode)s).ToArray()) });
                break;
            case "DELETE":
                FaultKnobs.Parse("reset")(cluster);
                await WriteAsync(ctx, 200, new JsonObject { ["kind"] = "FaultsApplied", ["applied"] = new JsonArray("reset") });
                break;
            default:
                throw new ApiError(405, "MethodNotAllowed", $"{Path} takes GET, POST or DELETE");
        }
    }

    private static List<string> Specs(string? body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body ?? string.Empty);
        }
        catch (JsonException e)
        {
            throw new ApiError(400, "BadRequest", $"the body must be {{\"faults\": [\"NAME[=VALUE]\", ...]}}: {e.Message}");
        }

        var specs = node?["faults"] is JsonArray list ? list.Select(n => n?.GetValueKind() == JsonValueKind.String ? (string?)n : null).ToList()
            : node?["fault"] is JsonValue one && one.GetValueKind() == JsonValueKind.String ? [(string?)one] : [];
        return specs.Count > 0 && specs.All(s => !string.IsNullOrEmpty(s))
            ? specs.Select(s => s!).ToList()
            : throw new ApiError(400, "BadRequest", "the body must be {\"faults\": [\"NAME[=VALUE]\", ...]} with at least one fault (GET " + Path + " lists them)");
    }

    private static Action<SimulatedCluster> Parse(string spec)
    {
        try
        {
            return FaultKnobs.Parse(spec);
        }
        catch (ArgumentException e)
        {
            throw new ApiError(400, "BadRequest", e.Message);
        }
    }

    private static async Task WriteAsync(HttpContext ctx, int code, JsonObject body)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(RequestHandler.Wire), ctx.RequestAborted);
    }
}
