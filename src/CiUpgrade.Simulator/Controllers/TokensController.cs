using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Auth;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// kube-controller-manager's service account token controller (pkg/controller/serviceaccount/tokens_controller.go):
/// it fills every kubernetes.io/service-account-token Secret that names an existing account with a token, the
/// cluster's ca.crt and the namespace; and before Kubernetes 1.24 it also creates one such Secret for every account
/// (`&lt;account&gt;-token-&lt;5 random&gt;`). 1.24 stopped that
/// (LegacyServiceAccountTokenNoAutoGeneration, KEP-2799): OpenShift 3.11 has them, OpenShift 4 (4.16 here) does not.
/// </summary>
internal sealed class TokensController(ResourceRegistry registry, ServiceAccountTokens tokens, ServerVersion version) : IController
{
    private const string RandomAlphabet = "bcdfghjklmnpqrstvwxz2456789"; // k8s.io/apimachinery util/rand

    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        if (string.IsNullOrEmpty(ns))
        {
            return default;
        }

        var changed = false;
        if (!version.AtLeast(1, 24))
        {
            foreach (var account in registry.List("serviceaccounts", ns).Items.Where(a => !HasTokenSecret(a)))
            {
                var name = $"{account.Name()}-token-{RandomNumberGenerator.GetString(RandomAlphabet, 5)}";
                registry.Create("secrets", ns, new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Secret",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = name,
                        ["annotations"] = new JsonObject { [ServiceAccountTokens.NameAnnotation] = account.Name() },
                    },
                    ["type"] = ServiceAccountTokens.TokenSecretType,
                });
                // 3.11 also lists the Secret in the account's `secrets`; not here: kubectl apply of a backed-up account with
                // that list sends $setElementOrder, a strategic merge patch this simulator does not serve (415), and
                // clients find the Secret by its type and annotation as well.
                changed = true;
            }
        }

        foreach (var secret in registry.List("secrets", ns).Items.Where(s => s.Str("type") == ServiceAccountTokens.TokenSecretType && s["data"].Str("token") is null))
        {
            if (secret.Annotation(ServiceAccountTokens.NameAnnotation) is not { } accountName || registry.Get("serviceaccounts", ns, accountName) is not { } account)
            {
                continue;
            }

            var uid = account.Meta().Str("uid") ?? string.Empty;
            var token = tokens.IssueLegacy(ns, accountName, uid, secret.Name());
            registry.Modify("secrets", ns, secret.Name(), s =>
            {
                s.SetAnnotation(ServiceAccountTokens.UidAnnotation, uid);
                var data = s["data"] as JsonObject ?? [];
                data["token"] = Base64(token);
                data["ca.crt"] = Base64(tokens.CertificateAuthorityPem);
                data["namespace"] = Base64(ns);
                s["data"] = data;
                return s;
            });
            changed = true;
        }

        return new PassResult(changed, false);
    }

    private bool HasTokenSecret(JsonObject account) => registry.List("secrets", account.Namespace()).Items.Any(s =>
        s.Str("type") == ServiceAccountTokens.TokenSecretType && s.Annotation(ServiceAccountTokens.NameAnnotation) == account.Name());

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
