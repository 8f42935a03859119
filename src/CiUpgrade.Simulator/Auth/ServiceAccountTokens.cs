using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Auth;

/// <summary>
/// Service account tokens as kube-apiserver issues and checks them, as JWTs with the upstream claims:
/// <list type="bullet">
/// <item>legacy tokens, which the token controller writes into a kubernetes.io/service-account-token Secret
/// (kubernetes pkg/serviceaccount/legacy.go): valid while that Secret still holds the token and the account exists;</item>
/// <item>bound tokens from a TokenRequest (pkg/serviceaccount/claims.go): valid until <c>exp</c> while the account with
/// that uid exists.</item>
/// </list>
/// Signed HS256 with a per-cluster key (the real server signs RS256 with its service-account key: only the signature
/// differs). What a token may do is the RBAC of the Roles its account is bound to at request time (<see cref="StoredRbac"/>).
/// </summary>
public sealed class ServiceAccountTokens(byte[] key)
{
    public const string TokenSecretType = "kubernetes.io/service-account-token";
    public const string NameAnnotation = "kubernetes.io/service-account.name";
    public const string UidAnnotation = "kubernetes.io/service-account.uid";

    /// <summary>The cluster's CA (a token Secret's ca.crt); set once the serving certificate exists.</summary>
    public string CertificateAuthorityPem { get; set; } = string.Empty;

    public string IssueLegacy(string ns, string account, string uid, string secretName) => Sign(new JsonObject
    {
        ["iss"] = "kubernetes/serviceaccount",
        ["kubernetes.io/serviceaccount/namespace"] = ns,
        ["kubernetes.io/serviceaccount/secret.name"] = secretName,
        ["kubernetes.io/serviceaccount/service-account.name"] = account,
        ["kubernetes.io/serviceaccount/service-account.uid"] = uid,
        ["sub"] = $"system:serviceaccount:{ns}:{account}",
    });

    public string IssueBound(string ns, string account, string uid, DateTimeOffset now, DateTimeOffset expires) => Sign(new JsonObject
    {
        ["aud"] = new JsonArray("https://kubernetes.default.svc"),
        ["exp"] = expires.ToUnixTimeSeconds(),
        ["iat"] = now.ToUnixTimeSeconds(),
        ["iss"] = "https://kubernetes.default.svc",
        ["kubernetes.io"] = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = new JsonObject { ["name"] = account, ["uid"] = uid },
        },
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["sub"] = $"system:serviceaccount:{ns}:{account}",
    });

    /// <summary>The account a valid token authenticates, with its RBAC; null for anything else (401).</summary>
    public Identity? Validate(string token, ResourceRegistry registry, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || !CryptographicOperations.FixedTimeEquals(Signature(parts[0] + "." + parts[1]), Base64Url(parts[2]) ?? []))
        {
            return null;
        }

        var claims = JsonNode.Parse(Base64Url(parts[1]) ?? [])!.AsObject();
        string? ns, account, uid;
        if (claims["kubernetes.io"] is JsonObject bound)
        {
            (ns, account, uid) = (bound.Str("namespace"), bound["serviceaccount"].Str("name"), bound["serviceaccount"].Str("uid"));
            if ((long?)claims["exp"] is not { } exp || exp <= now.ToUnixTimeSeconds())
            {
                return null;
            }
        }
        else
        {
            (ns, account, uid) = (claims.Str("kubernetes.io/serviceaccount/namespace"), claims.Str("kubernetes.io/serviceaccount/service-account.name"),
                claims.Str("kubernetes.io/serviceaccount/service-account.uid"));
            var secret = registry.Get("secrets", ns ?? string.Empty, claims.Str("kubernetes.io/serviceaccount/secret.name") ?? string.Empty);
            if (secret?["data"].Str("token") != Convert.ToBase64String(Encoding.UTF8.GetBytes(token)))
            {
                return null;
            }
        }

        var sa = ns is null || account is null ? null : registry.Get("serviceaccounts", ns, account);
        return sa is null || sa.Meta().Str("uid") != uid ? null : new Identity($"system:serviceaccount:{ns}:{account}", StoredRbac.Grants(registry, ns!, account!));
    }

    private string Sign(JsonObject claims)
    {
        var unsigned = Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray()) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        return unsigned + "." + Base64Url(Signature(unsigned));
    }

    private byte[] Signature(string unsigned) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(unsigned));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? Base64Url(string text)
    {
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
