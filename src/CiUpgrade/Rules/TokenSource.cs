namespace CiUpgrade.Rules;

/// <summary>Where target-kubeconfig takes the ServiceAccount's token from.</summary>
public enum TokenSource
{
    /// <summary>A kubernetes.io/service-account-token Secret the token controller fills (never expires while it exists).</summary>
    Secret,

    /// <summary>A TokenRequest (POST serviceaccounts/NAME/token): a bound token with a stated lifetime.</summary>
    Request,
}

/// <summary>
/// `auto` picks what the server offers by default: Kubernetes 1.24 (OpenShift 4.11) stopped creating token Secrets for
/// every account (LegacyServiceAccountTokenNoAutoGeneration, KEP-2799) and serves TokenRequest (GA in 1.22); OpenShift
/// 3.11 (Kubernetes 1.11) has the token controller's Secrets and no TokenRequest.
/// </summary>
public static class TokenSourceDecision
{
    public static TokenSource Decide(string option, int major, int minor) => option switch
    {
        "secret" => TokenSource.Secret,
        "request" => TokenSource.Request,
        _ => major > 1 || (major == 1 && minor >= 24) ? TokenSource.Request : TokenSource.Secret,
    };
}
