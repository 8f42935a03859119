using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// /openapi/v2 with no definitions, which is what `kubectl apply` needs to run at all: it downloads the document
/// before applying (client-go discovery OpenAPISchema, protobuf `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`,
/// JSON when asked) and validates an object only against a definition the document has for its kind, so with none
/// it validates nothing client-side and patches built-in kinds by strategic merge (415 here), OpenShift kinds by
/// merge patch. A real server publishes every schema; the simulator does not model them. /openapi/v3 stays 404,
/// as on OpenShift 3.11 (Kubernetes 1.11), and kubectl falls back to v2.
/// </summary>
internal static class OpenApi
{
    // kube-openapi answers the protobuf form as application/octet-stream (the @ of the Accept type is no valid MIME subtype).
    private const string ProtobufType = "application/octet-stream";

    public static async Task WriteV2Async(HttpContext ctx, ServerVersion version)
    {
        if (ctx.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.Ordinal))
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = ProtobufType;
            await ctx.Response.Body.WriteAsync(Protobuf(version.GitVersion), ctx.RequestAborted);
            return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        var document = new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = version.GitVersion },
            ["paths"] = new JsonObject(),
            ["definitions"] = new JsonObject(),
        };
        await ctx.Response.WriteAsync(document.ToJsonString(), ctx.RequestAborted);
    }

    /// <summary>gnostic openapiv2.Document {swagger = 1: "2.0", info = 2: {title = 1, version = 2}} in protobuf wire format.</summary>
    private static byte[] Protobuf(string gitVersion)
    {
        var info = new List<byte>();
        Field(info, 1, Encoding.UTF8.GetBytes("Kubernetes"));
        Field(info, 2, Encoding.UTF8.GetBytes(gitVersion));
        var document = new List<byte>();
        Field(document, 1, Encoding.UTF8.GetBytes("2.0"));
        Field(document, 2, [.. info]);
        return [.. document];
    }

    private static void Field(List<byte> to, int number, byte[] value)
    {
        to.Add((byte)((number << 3) | 2));
        for (var length = (uint)value.Length; ; length >>= 7)
        {
            if (length < 0x80)
            {
                to.Add((byte)length);
                break;
            }

            to.Add((byte)((length & 0x7F) | 0x80));
        }

        to.AddRange(value);
    }
}
