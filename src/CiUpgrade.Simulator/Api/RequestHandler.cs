using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Auth;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// Serves every request the way kube-apiserver's generic handlers do (k8s.io/apiserver/pkg/endpoints/handlers):
/// authentication, RBAC authorization, discovery, get/list/watch/create/update/patch/delete, subresources,
/// dry run, and Status errors. One instance per server; thread-safe.
/// </summary>
internal sealed class RequestHandler(ResourceRegistry registry, AccessControl access, HttpFaults faults, Func<ControllerManager?> controllers, ServerVersion version, Containers.Workloads workloads)
{
    public ServerVersion ServerVersion => version;

    /// <summary>Issues TokenRequest tokens (set by <see cref="SimulatedCluster"/> once the serving certificate exists).</summary>
    public Auth.ServiceAccountTokens? ServiceAccountTokens { get; set; }

    public DatabaseDumps DatabaseDumps => workloads.Knobs;

    public Containers.Workloads Workloads => workloads;

    private readonly Containers.ContainerShell _shell = new(workloads);

    /// <summary>Go's encoding/json escaping (quotes as \", no \u0022), as the real server writes JSON.</summary>
    internal static readonly JsonSerializerOptions Wire = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int MaxRecordedRequests = 100_000;

    private readonly Lock _requestsLock = new();
    private readonly EncodedObjects _encoded = new(registry);
    private readonly List<RecordedRequest> _requests = [];

    /// <summary>The fault drill endpoint (set once the cluster is built).</summary>
    public ControlEndpoint? Control { get; set; }

    /// <summary>Raised after each request is recorded (on the request's thread: handlers must not block).</summary>
    public event Action<RecordedRequest>? Recorded;

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_requestsLock) { return _requests.ToList(); } }
    }

    public void ClearRequests()
    {
        lock (_requestsLock)
        {
            _requests.Clear();
        }
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var watching = request.Query["watch"] is var w && (w == "true" || w == "1");
        var reset = faults.InjectedReset(request.Method, request.Path, watching);
        if (reset == ConnectionReset.WhileArriving)
        {
            // A proxy's RST while the request arrives: the server never sees it whole, nothing is handled.
            Record(new RecordedRequest(request.Method, request.Path, request.QueryString.Value ?? string.Empty, request.ContentType, "-", 0, null));
            ctx.Abort();
            return;
        }

        var answer = ctx.Response.Body;
        using var held = reset == ConnectionReset.MidAnswer ? new MemoryStream() : null;
        if (held is not null)
        {
            ctx.Response.Body = held;
        }

        byte[]? raw = null;
        // A binary build's body is streamed to the build once it runs (ControllerManager.InstantiateBinaryAsync).
        var binaryUpload = request.Path.Value?.EndsWith("/instantiatebinary", StringComparison.Ordinal) == true;
        if (binaryUpload && request.Method == "POST")
        {
            // OpenShift's API server streams a binary build's body into the build pod and bounds its size nowhere
            // (CiUpgrade's Rules/UploadRefusal cites where): Kestrel's default limit of 30,000,000 bytes would refuse
            // an Instant Client build context the real server takes.
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = null;
            }

            if (faults.UploadLimit is { } limit && await ProxyRefusesAsync(ctx, limit))
            {
                Record(new RecordedRequest(request.Method, request.Path, request.QueryString.Value ?? string.Empty, request.ContentType, "-", 413, null));
                return;
            }
        }

        if (request.Method is "POST" or "PUT" or "PATCH" && !binaryUpload)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ctx.RequestAborted);
            raw = buffer.ToArray();
        }

        // Binary build uploads are archives, everything else is JSON text.
        var body = raw is null ? null : Encoding.UTF8.GetString(raw);
        var user = "-";
        try
        {
            if (faults.Latency > TimeSpan.Zero)
            {
                await Task.Delay(faults.Latency, ctx.RequestAborted);
            }

            var identity = Authenticate(request) ?? throw new ApiError(401, "Unauthorized", "Unauthorized");
            user = identity.User;
            ManagedFields.WritesAreBy(ManagedFields.ManagerOf(request.Query["fieldManager"], request.Headers.UserAgent));
            if (Control is { } control && ControlEndpoint.Handles(request.Path.Value ?? string.Empty))
            {
                await control.HandleAsync(ctx, identity, body);
                return;
            }

            if (controllers()?.Failure is { } dead)
            {
                // A cluster whose controllers died must say so on every request, not freeze silently.
                throw new ApiError(500, "InternalError", "Internal error occurred: " + ControllerManager.DeadMessage(dead));
            }

            if (faults.InjectedError(request.Method, request.Path) is { } injected)
            {
                throw Injected(injected);
            }

            await RouteAsync(ctx, identity, body, raw);
        }
        catch (ApiError e)
        {
            await WriteErrorAsync(ctx, e);
        }
        catch (Exception e) when (e is StoreException or InvalidObjectException or BadRequestException or JsonException or ArgumentException)
        {
            await WriteErrorAsync(ctx, Translate(e, ResourcePath.Parse(request.Path, registry), request));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a watch it closed): nothing to answer.
        }
#pragma warning disable CA1031 // any other exception is a simulator bug: answer it the way the real server answers one
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // kube-apiserver's WithPanicRecovery answers 500; naming the exception here lets the failing test say what broke.
            await WriteErrorAsync(ctx, new ApiError(500, "InternalError", $"Internal error occurred: simulator bug: {e.GetType().Name}: {e.Message}"));
        }
#pragma warning restore CA1031
        finally
        {
            Record(new RecordedRequest(request.Method, request.Path, request.QueryString.Value ?? string.Empty,
                request.ContentType, user, ctx.Response.StatusCode, request.Method == "PATCH" ? body : null));
        }

        if (held is not null)
        {
            // Handled (a write is applied), then the connection drops half-way through the answer.
            ctx.Response.Body = answer;
            ctx.Response.ContentLength = held.Length;
            await ctx.Response.StartAsync(ctx.RequestAborted);
            await answer.WriteAsync(held.GetBuffer().AsMemory(0, (int)(held.Length / 2)), ctx.RequestAborted);
            await answer.FlushAsync(ctx.RequestAborted);
            ctx.Abort();
        }
    }

    /// <summary>
    /// The proxy of <see cref="HttpFaults.UploadLimit"/>: it buffers the whole body first (nginx's
    /// proxy_request_buffering, on by default), answers 413 with its own HTML page when the body is over the limit (the
    /// API server never sees the request), and otherwise passes the buffered body on.
    /// </summary>
    private static async Task<bool> ProxyRefusesAsync(HttpContext ctx, long limit)
    {
        var buffered = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffered, ctx.RequestAborted);
        if (buffered.Length <= limit)
        {
            buffered.Position = 0;
            ctx.Request.Body = buffered;
            ctx.Response.RegisterForDispose(buffered);
            return false;
        }

        await buffered.DisposeAsync();
        ctx.Response.StatusCode = 413;
        ctx.Response.ContentType = "text/html";
        await ctx.Response.WriteAsync("<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", ctx.RequestAborted);
        return true;
    }

    private void Record(RecordedRequest recorded)
    {
        lock (_requestsLock)
        {
            if (_requests.Count >= MaxRecordedRequests)
            {
                // A long-running console simulator under a watch storm must not grow without bound:
                // keep the newest requests (far more than any test records between two ClearRequests).
                _requests.RemoveRange(0, MaxRecordedRequests / 10);
            }

            _requests.Add(recorded);
        }

        Recorded?.Invoke(recorded);
    }

    private Identity? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return access.Authenticate(null);
        }

        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? access.Authenticate(header[7..].Trim()) : null;
    }

    private static ApiError Injected(int code) => code switch
    {
        429 => new ApiError(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later") { RetryAfterSeconds = 1 },
        409 => new ApiError(409, "Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again"),
        503 => new ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
        _ => new ApiError(code, "InternalError", "Internal error occurred: injected fault"),
    };

    private async Task RouteAsync(HttpContext ctx, Identity identity, string? body, byte[]? raw)
    {
        var path = ctx.Request.Path.Value?.TrimEnd('/') ?? string.Empty;
        var method = ctx.Request.Method;
        if (method == "GET")
        {
            JsonObject? discovery = path switch
            {
                "/version" => version.ToJson(),
                "/api" => Discovery.CoreVersions(ctx.Request.Host.Value ?? "127.0.0.1"),
                "/apis" => Discovery.Groups(registry),
                _ => null,
            };
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (discovery is null && segments is ["api", var v])
            {
                discovery = Discovery.Resources(registry, string.Empty, v);
            }
            else if (discovery is null && segments is ["apis", var g, var gv])
            {
                discovery = Discovery.Resources(registry, g, gv);
            }

            if (discovery is not null)
            {
                await WriteAsync(ctx, 200, discovery);
                return;
            }

            if (path == "/openapi/v2")
            {
                await OpenApi.WriteV2Async(ctx, version);
                return;
            }
        }

        if (method == "POST" && path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        {
            await WriteAsync(ctx, 201, AccessReview(identity, Parse(body)));
            return;
        }

        var target = ResourcePath.Parse(path, registry)
            ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        var query = ctx.Request.Query;
        var watch = query["watch"] is var w && (w == "true" || w == "1");
        var verb = (method, target.Name, watch) switch
        {
            ("GET", null, true) => "watch",
            ("GET", null, false) => "list",
            ("GET", _, _) => "get",
            ("POST", _, _) => "create",
            ("PUT", _, _) => "update",
            ("PATCH", _, _) => "patch",
            ("DELETE", _, _) => "delete",
            _ => throw new ApiError(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource"),
        };
        if (target.Type.Plural == "pods" && target.Subresource == "exec" && target.Name is not null && method is "GET" or "POST")
        {
            // The WebSocket upgrade is a GET, authorized as "get" on pods/exec (kubernetes#78741); Kubernetes 1.35
            // also requires "create" for it (AuthorizePodWebsocketUpgradeCreatePermission, kubernetes#134577),
            // and SPDY's POST is "create": both are checked, so a Role that works here works on every version.
            foreach (var needed in method == "GET" ? new[] { "get", "create" } : ["create"])
            {
                if (!identity.Allows(needed, string.Empty, target.RbacResource, target.Namespace, target.Name))
                {
                    throw Forbidden(identity, needed, target);
                }
            }

            await PodExecHandler.HandleAsync(ctx, registry, _shell, target.Namespace ?? string.Empty, target.Name);
            return;
        }

        if (target.Type.Plural == "serviceaccounts" && target.Subresource is not null && !target.Type.Subresources.Contains(target.RbacResource))
        {
            // A subresource this server version does not serve has no route (e.g. serviceaccounts/token on 1.11).
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        var rbacName = target.Name ?? (verb is "list" or "watch" ? Selectors.NameFromFieldSelector(query["fieldSelector"]) : null);
        if (!identity.Allows(verb, target.Type.Group, target.RbacResource, target.Namespace, rbacName))
        {
            throw Forbidden(identity, verb, target);
        }

        // A 1.11 server does not know the parameter: it validates nothing and applies the write (ServerVersion.HonoursDryRun).
        var dryRun = version.HonoursDryRun ? query["dryRun"].ToString() : string.Empty;
        if (dryRun.Length > 0 && dryRun != "All")
        {
            throw new ApiError(400, "BadRequest", $"Invalid dry run value: unsupported dry run value \"{dryRun}\"");
        }

        var isDryRun = dryRun == "All";
        var ns = target.Namespace ?? string.Empty;
        switch (verb)
        {
            case "get":
                await GetAsync(ctx, target, ns);
                break;
            case "list":
                await ListAsync(ctx, target);
                break;
            case "watch":
                await WatchStreamer.StreamAsync(ctx, registry, target, faults, version, ctx.RequestAborted);
                break;
            case "create" when target.Subresource == "instantiate":
                var manager = controllers() ?? throw new ApiError(503, "ServiceUnavailable", "controllers are not running");
                await WriteAsync(ctx, 201, WithKind(manager.Instantiate(ns, target.Name!, Parse(body)), target));
                break;
            case "create" when target.Subresource == "instantiatebinary":
                var builds = controllers() ?? throw new ApiError(503, "ServiceUnavailable", "controllers are not running");
                await WriteAsync(ctx, 201, WithKind(await builds.InstantiateBinaryAsync(ns, target.Name!, ctx.Request.Body, ctx.RequestAborted), new ResourcePath(registry.StrategyFor("builds").Type, ns, null, null)));
                break;
            case "create" when target.Subresource == "token" && target.Type.Plural == "serviceaccounts":
                await WriteAsync(ctx, 201, TokenRequest(ns, target.Name!, Parse(body)));
                break;
            case "create" when target.Name is null:
                await WriteAsync(ctx, 201, WithKind(registry.Create(target.Type.Plural, ns, Creatable(Parse(body), ns), isDryRun), target));
                break;
            case "update":
                await WriteAsync(ctx, 200, WithKind(Update(target, ns, Parse(body), isDryRun), target));
                break;
            case "patch":
                await WriteAsync(ctx, 200, WithKind(Patch(target, ns, ctx.Request.ContentType, body ?? string.Empty, isDryRun), target));
                break;
            case "delete" when target.Name is not null && target.Subresource is null:
                await WriteAsync(ctx, 200, WithKind(registry.Delete(target.Type.Plural, ns, target.Name, isDryRun), target));
                break;
            default:
                throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
    }

    /// <summary>
    /// A TokenRequest (kubernetes pkg/registry/core/serviceaccount/storage/token.go): a bound token for the account, for
    /// spec.expirationSeconds (default 1 hour; under 10 minutes is invalid, pkg/apis/authentication/validation). No
    /// --service-account-max-token-expiration is set, so a longer lifetime is granted as asked.
    /// </summary>
    private JsonObject TokenRequest(string ns, string account, JsonObject body)
    {
        var sa = registry.Get("serviceaccounts", ns, account) ?? throw new ApiError(404, "NotFound", $"serviceaccounts \"{account}\" not found");
        var seconds = (long?)body["spec"]?["expirationSeconds"] ?? 3600;
        if (seconds < 600)
        {
            throw new ApiError(422, "Invalid",
                $"TokenRequest.authentication.k8s.io \"{account}\" is invalid: spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration less than 10 minutes");
        }

        var now = DateTimeOffset.UtcNow;
        var expires = now.AddSeconds(seconds);
        var issuer = ServiceAccountTokens ?? throw new ApiError(503, "ServiceUnavailable", "no service account token issuer");
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = account, ["namespace"] = ns, ["creationTimestamp"] = null },
            ["spec"] = new JsonObject
            {
                ["audiences"] = new JsonArray("https://kubernetes.default.svc"),
                ["expirationSeconds"] = seconds,
                ["boundObjectRef"] = null,
            },
            ["status"] = new JsonObject
            {
                ["token"] = issuer.IssueBound(ns, account, sa.Meta().Str("uid") ?? string.Empty, now, expires),
                ["expirationTimestamp"] = expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    private async Task GetAsync(HttpContext ctx, ResourcePath target, string ns)
    {
        var obj = registry.Get(target.Type.Plural, ns, target.Name!) ?? throw NotFound(target);
        if (target.Subresource == "scale")
        {
            await WriteAsync(ctx, 200, Scale(obj));
            return;
        }

        if (target.Subresource == "log" && target.Type.Plural == "pods")
        {
            await WriteLogAsync(ctx, obj);
            return;
        }

        if (TableConverter.Wanted(ctx.Request.Headers.Accept))
        {
            await WriteAsync(ctx, 200, TableConverter.Convert(target.Type.Kind, [obj], obj.Meta().Str("resourceVersion") ?? string.Empty, DateTimeOffset.UtcNow));
            return;
        }

        await WriteAsync(ctx, 200, WithKind(obj, target));
    }

    /// <summary>
    /// GET pods/{name}/log (k8s.io/kubernetes pkg/registry/core/pod/rest/log.go + the kubelet): plain text, the last
    /// `tailLines` lines, at most `limitBytes` bytes from their start; a container not in the pod is a 400.
    /// </summary>
    private async Task WriteLogAsync(HttpContext ctx, JsonObject pod)
    {
        var query = ctx.Request.Query;
        var containers = pod["spec"]?["containers"].Objects().Select(c => c.Str("name")).ToList() ?? [];
        var container = query["container"].ToString();
        if (container.Length == 0 && containers.Count != 1)
        {
            throw new ApiError(400, "BadRequest", $"a container name must be specified for pod {pod.Name()}, choose one of: [{string.Join(' ', containers)}]");
        }

        if (container.Length > 0 && !containers.Contains(container))
        {
            throw new ApiError(400, "BadRequest", $"container {container} is not valid for pod {pod.Name()}");
        }

        IEnumerable<string> lines = controllers()?.PodLogs.Of(pod.Namespace(), pod.Name()) ?? [];
        if (long.TryParse(query["tailLines"], NumberStyles.None, CultureInfo.InvariantCulture, out var tail))
        {
            lines = lines.TakeLast((int)Math.Min(tail, int.MaxValue));
        }

        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        if (long.TryParse(query["limitBytes"], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit < bytes.Length)
        {
            bytes = bytes[..(int)limit];
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private async Task ListAsync(HttpContext ctx, ResourcePath target)
    {
        var query = ctx.Request.Query;
        var filter = Selectors.Parse(query["labelSelector"], query["fieldSelector"]);
        var chunked = ListChunking.Parse(query, target.Namespace);
        IReadOnlyList<JsonObject> items;
        long rv;
        var metadata = new JsonObject();
        if (chunked is null)
        {
            (items, rv) = registry.Store.ListShared(target.Type.Plural, target.Namespace);
            items = items.Where(filter).ToList();
        }
        else
        {
            var chunk = chunked.Read(registry, target.Type.Plural, target.Namespace, filter);
            (items, rv) = (chunk.Items, chunk.ResourceVersion);
            if (chunk.NextKey is not null)
            {
                metadata["continue"] = ContinueToken.Encode(chunk.ResourceVersion, chunk.NextKey, target.Namespace);
                // The API server counts what is left only for an unfiltered list (etcd3 store GetList, pred.Empty()).
                if (string.IsNullOrEmpty(query["labelSelector"]) && string.IsNullOrEmpty(query["fieldSelector"]))
                {
                    metadata["remainingItemCount"] = chunk.Remaining;
                }
            }
        }

        // The items are the stored objects: read only, served from their encoded bytes (EncodedObjects).
        var resourceVersion = rv.ToString(CultureInfo.InvariantCulture);
        metadata["resourceVersion"] = resourceVersion;
        if (TableConverter.Wanted(ctx.Request.Headers.Accept))
        {
            var table = TableConverter.Convert(target.Type.Kind, items.Select(i => _encoded.Decorated(i, target)).ToList(), resourceVersion, DateTimeOffset.UtcNow);
            if (metadata["continue"] is { } next && table["metadata"] is JsonObject tableMetadata)
            {
                tableMetadata["continue"] = next.DeepClone();
            }

            await WriteAsync(ctx, 200, table);
            return;
        }

        // The list around its items, written as the one JSON document it was serialized as before: the envelope's
        // text up to "items":[, each item's bytes comma-separated, then ]}.
        var envelope = new JsonObject
        {
            ["kind"] = target.Type.Kind + "List",
            ["apiVersion"] = target.Type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray(),
        }.ToJsonString(Wire);
        const string emptyItems = "[]}";
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        var body = ctx.Response.BodyWriter;
        body.Write(Encoding.UTF8.GetBytes(envelope[..^(emptyItems.Length - 1)]));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            body.Write(_encoded.Of(items[i], target));
            if (body.UnflushedBytes >= FlushBytes)
            {
                await body.FlushAsync(ctx.RequestAborted);
            }
        }

        body.Write("]}"u8);
        await body.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>A LIST's answer goes out in pieces of about this size, not built whole in memory first.</summary>
    private const int FlushBytes = 64 * 1024;

    private JsonObject Update(ResourcePath target, string ns, JsonObject body, bool dryRun)
    {
        if (target.Subresource == "scale")
        {
            var replicas = body["spec"].Long("replicas");
            return Scale(registry.Modify(target.Type.Plural, ns, target.Name!, o =>
            {
                o.Obj("spec")["replicas"] = replicas;
                return o;
            }, dryRun) ?? throw NotFound(target));
        }

        if (body.Name() != target.Name)
        {
            throw new ApiError(400, "BadRequest", $"the name of the object ({body.Name()}) does not match the name on the URL ({target.Name})");
        }

        return registry.Update(target.Type.Plural, ns, body, dryRun, status: target.Subresource == "status");
    }

    /// <summary>
    /// patch.go: apply the patch to the current object; a resourceVersion the patch sets is a precondition
    /// (stale → 409), otherwise the server retries internally on a concurrent write.
    /// </summary>
    private JsonObject Patch(ResourcePath target, string ns, string? contentType, string body, bool dryRun)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        if (mediaType == "application/strategic-merge-patch+json" && PlainStrategicMerge(body))
        {
            // A strategic merge patch with no list and no $-directive means what a JSON merge patch means
            // (strategicpatch only differs on lists and directives): `kubectl apply` over an existing object whose
            // only change is its last-applied annotation sends exactly that, and is served.
            mediaType = "application/merge-patch+json";
        }

        if (mediaType is not ("application/json-patch+json" or "application/merge-patch+json"))
        {
            // openshift-apiserver also accepts strategic merge and apply patches for these types; this
            // simulator answers 415 like a CRD-backed stand-in does, and ciupgrade never sends them.
            throw new ApiError(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json");
        }

        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ApiError(400, "BadRequest", $"error decoding patch: {e.Message}");
        }

        var patchSetsResourceVersion = patch switch
        {
            JsonArray ops => ops.OfType<JsonObject>().Any(o => (string?)o["op"] is "add" or "replace" && (string?)o["path"] == "/metadata/resourceVersion"),
            JsonObject merge => merge["metadata"]?["resourceVersion"] is not null,
            _ => false,
        };
        for (var attempt = 0; ; attempt++)
        {
            var current = registry.Store.Get(target.Type.Plural, ns, target.Name!) ?? throw NotFound(target);
            var currentRv = current.Meta().Str("resourceVersion");
            JsonNode? patched;
            if (mediaType == "application/json-patch+json")
            {
                if (patch is not JsonArray)
                {
                    throw new ApiError(400, "BadRequest", "json patch must be a list of operations");
                }

                try
                {
                    // The operations as sent: a `test` compares the bytes of its value, not the parsed value.
                    using var operations = JsonDocument.Parse(body);
                    patched = JsonPatch.Apply(current, operations.RootElement);
                }
                catch (JsonPatchException e)
                {
                    throw FailedJsonPatch(e);
                }
            }
            else
            {
                patched = MergePatch.Apply(current, patch);
            }

            if (patched is not JsonObject patchedObject)
            {
                throw new ApiError(422, "Invalid", "the server rejected our request due to an error in our request");
            }

            var requestedRv = patchedObject.Meta().Str("resourceVersion");
            if (patchSetsResourceVersion && requestedRv != currentRv)
            {
                throw new StoreException(StoreError.Conflict, $"Operation cannot be fulfilled on {target.Type.QualifiedResource} \"{target.Name}\": the object has been modified; please apply your changes to the latest version and try again");
            }

            patchedObject.Meta()["resourceVersion"] = currentRv;
            patchedObject.Meta()["name"] = target.Name;
            try
            {
                return registry.Update(target.Type.Plural, ns, patchedObject, dryRun, status: target.Subresource == "status");
            }
            catch (StoreException e) when (e.Error == StoreError.Conflict && !patchSetsResourceVersion && attempt < 5)
            {
                // Not the client's precondition: someone wrote in between, so reapply to the new object.
            }
        }
    }

    /// <summary>
    /// A JSON patch that does not apply (a failed `test` included). From Kubernetes 1.14 (and 1.11.8/1.12.6/1.13.4, the
    /// CVE-2019-1002100 fix) handlers/patch.go applyJSPatch wraps it as errors.NewGenericServerResponse(422, …): reason
    /// Invalid, the generic message, empty details (the json-patch text dropped), as kube-apiserver 1.26 answers in the
    /// conformance tests. Kubernetes 1.11 (OpenShift 3.11's v1.11.0) passes the json-patch error through unwrapped
    /// (jsonPatcher.applyPatchToCurrentObject → interpretPatchError's default case), and
    /// responsewriters.ErrorToAPIStatus answers any error that is not a Status as 500 with its text as the message and
    /// no reason: "Testing value /spec/… failed".
    /// </summary>
    private ApiError FailedJsonPatch(JsonPatchException e) => version.FailedJsonPatchIsInvalid
        ? new ApiError(422, "Invalid", "the server rejected our request due to an error in our request", [])
        : new ApiError(500, string.Empty, e.Message);

    private static bool PlainStrategicMerge(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject patch && Plain(patch);
        }
        catch (JsonException)
        {
            return false;
        }

        static bool Plain(JsonNode? node) => node switch
        {
            JsonArray => false,
            JsonObject o => o.All(kv => !kv.Key.StartsWith('$') && Plain(kv.Value)),
            _ => true,
        };
    }

    private static readonly ResourceType AccessReviewType =
        new("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "selfsubjectaccessreview", false, [], ["create"], []);

    private JsonObject AccessReview(Identity identity, JsonObject review)
    {
        var attrs = review["spec"]?["resourceAttributes"];
        var resource = attrs.Str("resource") ?? string.Empty;
        if (attrs.Str("subresource") is { Length: > 0 } sub)
        {
            resource += "/" + sub;
        }

        var allowed = identity.Allows(attrs.Str("verb") ?? string.Empty, attrs.Str("group") ?? string.Empty, resource, attrs.Str("namespace"), attrs.Str("name"));
        // The review is never stored: its metadata is the empty ObjectMeta Go writes (creationTimestamp null), kind first.
        var result = new JsonObject
        {
            ["kind"] = "SelfSubjectAccessReview",
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = review["spec"]?.DeepClone(),
        };
        if (result["spec"]?["resourceAttributes"] is JsonObject echoed)
        {
            // Decoded into authorizationv1.ResourceAttributes and encoded back: its fields are omitempty.
            foreach (var empty in echoed.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String && (string?)v == string.Empty).Select(p => p.Key).ToList())
            {
                echoed.Remove(empty);
            }
        }

        result["status"] = allowed
            ? new JsonObject { ["allowed"] = true, ["reason"] = "RBAC: allowed by a rule bound to " + identity.User }
            : new JsonObject { ["allowed"] = false };
        // Never stored, but created: a 1.18+ server's field manager stamps it as any create (kube-apiserver 1.26 does).
        registry.ManagedFields?.Track(result, null, AccessReviewType, status: false);
        return result;
    }

    private static JsonObject Creatable(JsonObject body, string ns)
    {
        var bodyNs = body.Meta().Str("namespace");
        if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns && ns.Length > 0)
        {
            throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        }

        if (string.IsNullOrEmpty(body.Name()) && body.Meta().Str("generateName") is { Length: > 0 } prefix)
        {
            body.Meta()["name"] = prefix + Guid.NewGuid().ToString("N")[..5];
        }

        return body;
    }

    private static JsonObject Scale(JsonObject dc) => new()
    {
        ["kind"] = "Scale",
        ["apiVersion"] = "extensions/v1beta1",
        ["metadata"] = new JsonObject { ["name"] = dc.Name(), ["namespace"] = dc.Namespace(), ["resourceVersion"] = dc.Meta().Str("resourceVersion") },
        ["spec"] = new JsonObject { ["replicas"] = dc["spec"].Long("replicas") },
        ["status"] = new JsonObject { ["replicas"] = dc["status"].Long("replicas") },
    };

    private static JsonObject Parse(string? body)
    {
        try
        {
            return JsonNode.Parse(body ?? string.Empty) as JsonObject ?? throw new ApiError(400, "BadRequest", "the request body is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ApiError(400, "BadRequest", $"the request body is not valid JSON: {e.Message}");
        }
    }

    internal static JsonObject WithKind(JsonObject obj, ResourcePath target)
    {
        var ordered = new JsonObject { ["kind"] = target.Type.Kind, ["apiVersion"] = target.Type.ApiVersion };
        foreach (var (key, value) in obj.Clone())
        {
            if (key is not ("kind" or "apiVersion"))
            {
                ordered[key] = value?.DeepClone();
            }
        }

        return ordered;
    }

    private static ApiError NotFound(ResourcePath target) =>
        new(404, "NotFound", $"{target.Type.QualifiedResource} \"{target.Name}\" not found", ApiError.DetailsFor(target.Name, target.Type.Group, target.Type.Plural));

    /// <summary>The RBAC denial text of k8s.io/apiserver's authorization filter (forbidden.go).</summary>
    private static ApiError Forbidden(Identity identity, string verb, ResourcePath target)
    {
        var subject = target.Name is null ? $"{target.Type.QualifiedResource} is forbidden" : $"{target.Type.QualifiedResource} \"{target.Name}\" is forbidden";
        var scope = target.Namespace is null ? "at the cluster scope" : $"in the namespace \"{target.Namespace}\"";
        return new ApiError(403, "Forbidden",
            $"{subject}: User \"{identity.User}\" cannot {verb} resource \"{target.RbacResource}\" in API group \"{target.Type.Group}\" {scope}",
            ApiError.DetailsFor(target.Name, target.Type.Group, target.Type.Plural));
    }

    private static ApiError Translate(Exception e, ResourcePath? target, HttpRequest request)
    {
        var details = target is null ? null : ApiError.DetailsFor(target.Name, target.Type.Group, target.Type.Plural);
        return e switch
        {
            StoreException { Error: StoreError.NotFound } when target is not null => NotFound(target),
            StoreException { Error: StoreError.NotFound } s => new ApiError(404, "NotFound", s.Message),
            StoreException { Error: StoreError.AlreadyExists } when target is not null =>
                new ApiError(409, "AlreadyExists", $"{target.Type.QualifiedResource} \"{NameInBody(e, target)}\" already exists",
                    ApiError.DetailsFor(NameInBody(e, target), target.Type.Group, target.Type.Plural)),
            StoreException { Error: StoreError.AlreadyExists } s => new ApiError(409, "AlreadyExists", s.Message),
            StoreException { Error: StoreError.Conflict } s => new ApiError(409, "Conflict", s.Message, details),
            StoreException { Error: StoreError.Gone } s => new ApiError(410, "Expired", s.Message),
            InvalidObjectException i => new ApiError(422, "Invalid", i.Message, Causes(i)),
            BadRequestException b => new ApiError(400, "BadRequest", b.Message),
            _ => new ApiError(400, "BadRequest", $"{request.Method} {request.Path}: {e.Message}"),
        };
    }

    private static string NameInBody(Exception e, ResourcePath target)
    {
        var start = e.Message.IndexOf('"', StringComparison.Ordinal);
        var end = e.Message.LastIndexOf('"');
        return start >= 0 && end > start ? e.Message[(start + 1)..end] : target.Name ?? string.Empty;
    }

    private static JsonObject Causes(InvalidObjectException e) => new()
    {
        ["name"] = e.Name,
        ["group"] = e.Type.Group,
        ["kind"] = e.Type.Kind,
        ["causes"] = new JsonArray(e.Errors.Select(f => (JsonNode)new JsonObject { ["reason"] = f.Reason, ["message"] = f.Message, ["field"] = f.Field }).ToArray()),
    };

    private static async Task WriteAsync(HttpContext ctx, int code, JsonNode body)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(Wire), ctx.RequestAborted);
    }

    private static async Task WriteErrorAsync(HttpContext ctx, ApiError e)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        if (e.RetryAfterSeconds is { } seconds)
        {
            ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await WriteAsync(ctx, e.Code, e.ToStatus());
    }
}
