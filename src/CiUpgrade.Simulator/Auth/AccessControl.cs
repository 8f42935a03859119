using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Auth;

/// <summary>Bearer tokens and the RBAC rules bound to them.</summary>
public sealed class AccessControl
{
    private readonly ConcurrentDictionary<string, Identity> _tokens = new(StringComparer.Ordinal);

    public string AddToken(string user, IReadOnlyList<Grant> grants, string? token = null)
    {
        token ??= NewToken();
        _tokens[token] = new Identity(user, grants);
        return token;
    }

    /// <summary>A random token in OpenShift's sha256~ form.</summary>
    public static string NewToken() => "sha256~" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>Service account tokens of the stored accounts (their Secrets, TokenRequests), checked after the fixed tokens.</summary>
    public Func<string, Identity?>? ServiceAccountTokens { get; set; }

    /// <summary>Null token → anonymous; unknown token → null (401 Unauthorized).</summary>
    public Identity? Authenticate(string? token) =>
        token is null ? Identity.Anonymous : _tokens.GetValueOrDefault(token) ?? ServiceAccountTokens?.Invoke(token);

    /// <summary>
    /// The rules of the Role (bound in its own namespace, or in <paramref name="ns"/> when it names none)
    /// or ClusterRole found in a YAML file that may hold several documents.
    /// </summary>
    public static IReadOnlyList<Grant> GrantsFromRoleYaml(string yaml, string ns)
    {
        var role = YamlJson.ParseAll(yaml).OfType<JsonObject>()
            .FirstOrDefault(d => d.Str("kind") is "Role" or "ClusterRole")
            ?? throw new ArgumentException("no Role or ClusterRole in the YAML");
        string? scope = role.Str("kind") == "Role" ? role.Meta().Str("namespace") ?? ns : null;
        return role["rules"].Objects().Select(r => new Grant(scope, new PolicyRule(
            Strings(r["apiGroups"]), Strings(r["resources"]), Strings(r["verbs"]),
            r["resourceNames"] is null ? null : Strings(r["resourceNames"])))).ToList();
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n?.ToString() ?? string.Empty).ToList() : [];
}
