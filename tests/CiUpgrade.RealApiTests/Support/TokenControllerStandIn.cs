using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>
/// The stand-in for kube-controller-manager's token controller, which the real-API tier does not run: it fills a
/// <c>kubernetes.io/service-account-token</c> Secret as that controller does (kubernetes pkg/controller/serviceaccount
/// tokens_controller.go: data <c>token</c>, <c>ca.crt</c>, <c>namespace</c>), the token a legacy service account JWT
/// (pkg/serviceaccount/legacy.go LegacyClaims: issuer <c>kubernetes/serviceaccount</c>, the subject and the four
/// <c>kubernetes.io/serviceaccount/*</c> claims, no expiry) signed RS256 with the key kube-apiserver verifies such
/// tokens by. The server itself then checks the token on every request: its signature, that the Secret still holds
/// exactly it, that the account still exists with that uid.
/// </summary>
public static class TokenControllerStandIn
{
    public static async Task FillAsync(RealApi api, string ns, string secretName, string signingKeyPem, string caPem)
    {
        var path = $"api/v1/namespaces/{ns}/secrets/{secretName}";
        var secret = await api.ObjectAsync(path);
        var account = secret["metadata"]!["annotations"].Str("kubernetes.io/service-account.name")!;
        var uid = (await api.ObjectAsync($"api/v1/namespaces/{ns}/serviceaccounts/{account}"))["metadata"].Str("uid")!;
        var claims = new JsonObject
        {
            ["iss"] = "kubernetes/serviceaccount",
            ["kubernetes.io/serviceaccount/namespace"] = ns,
            ["kubernetes.io/serviceaccount/secret.name"] = secretName,
            ["kubernetes.io/serviceaccount/service-account.name"] = account,
            ["kubernetes.io/serviceaccount/service-account.uid"] = uid,
            ["sub"] = $"system:serviceaccount:{ns}:{account}",
        };
        var token = Sign(claims, signingKeyPem);
        secret["data"] = new JsonObject
        {
            ["token"] = Base64(token),
            ["ca.crt"] = Base64(caPem),
            ["namespace"] = Base64(ns),
        };
        // The controller also records the account's uid on the Secret.
        secret["metadata"]!["annotations"]!["kubernetes.io/service-account.uid"] = uid;
        var answer = await api.PutAsync(path, secret);
        Assert.True(answer.Code == HttpStatusCode.OK, $"fill {path}: {answer}");
    }

    /// <summary>A compact JWS (RFC 7515): base64url(header).base64url(claims).base64url(RS256 signature).</summary>
    private static string Sign(JsonObject claims, string keyPem)
    {
        using var key = RSA.Create();
        key.ImportFromPem(keyPem);
        var signed = $"{Base64Url(Encoding.UTF8.GetBytes("""{"alg":"RS256"}"""))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{Base64Url(signature)}";
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
