using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s.KubeConfigModels;

namespace CiUpgrade.Cluster;

/// <summary>
/// Trusts exactly what kubectl trusts from a context's `certificate-authority-data` or `certificate-authority`: every
/// certificate in it is a trust anchor. client-go puts the whole PEM into its TLS RootCAs (k8s.io/client-go
/// transport/transport.go rootCertPool: x509.CertPool.AppendCertsFromPEM), and Go's x509 accepts a chain that reaches
/// any certificate of that pool, self-signed or not (crypto/x509 verify.go: a certificate found in Roots ends the
/// chain). So a bundle of [server certificate, CA] — what kube-apiserver's self-signed --cert-dir pair writes into
/// apiserver.crt — verifies the server, as does a bundle holding an intermediate. KubernetesClient's kubeconfig loader
/// keeps only the first certificate of that data (KubernetesClient.Aot KubernetesClientConfiguration.ConfigFile.cs,
/// SetClusterDetails: one X509Certificate2 of the bytes), and its validation callback then wants the chain's root to be
/// that one certificate: both are replaced here.
/// </summary>
public static class CertificateAuthorityTrust
{
    /// <summary>
    /// Every certificate of the certificate authority the context's cluster names (a relative file path is relative to
    /// the kubeconfig's folder, as kubectl resolves it), or null when it names none.
    /// </summary>
    public static X509Certificate2Collection? Read(K8SConfiguration kubeconfig, string? context)
    {
        var name = context ?? kubeconfig.CurrentContext;
        var cluster = kubeconfig.Contexts?.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.ContextDetails?.Cluster;
        var endpoint = kubeconfig.Clusters?.FirstOrDefault(c => string.Equals(c.Name, cluster, StringComparison.OrdinalIgnoreCase))?.ClusterEndpoint;
        byte[] bytes;
        if (!string.IsNullOrEmpty(endpoint?.CertificateAuthorityData))
        {
            bytes = Convert.FromBase64String(endpoint.CertificateAuthorityData);
        }
        else if (!string.IsNullOrEmpty(endpoint?.CertificateAuthority))
        {
            var file = endpoint.CertificateAuthority;
            if (!Path.IsPathRooted(file) && Path.GetDirectoryName(kubeconfig.FileName) is { Length: > 0 } folder)
            {
                file = Path.Combine(folder, file);
            }

            bytes = File.ReadAllBytes(file);
        }
        else
        {
            return null;
        }

        // PEM, as client-go reads it (a DER file, which only KubernetesClient's loader reads, stays as it loaded it).
        var all = new X509Certificate2Collection();
        all.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
        return all.Count > 0 ? all : null;
    }

    /// <summary>
    /// The chain policy of a TLS handshake: the authorities as the only roots (the machine's store is not consulted, as
    /// kubectl does not), no revocation check (kubectl makes none).
    /// </summary>
    public static X509ChainPolicy Policy(X509Certificate2Collection authorities)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(authorities);
        // Certificates the server did not send (an intermediate of the bundle) can complete its chain.
        policy.ExtraStore.AddRange(authorities);
        return policy;
    }

    /// <summary>
    /// The server certificate's verdict, given the chain built with <see cref="Policy"/>: the host name must match (as
    /// Go checks it), and the chain must reach a self-signed root of the authorities or, failing that, contain one of
    /// them, every certificate below it valid (Go: any certificate of the pool is an anchor).
    /// </summary>
    public static bool Accepts(X509Certificate2Collection authorities, X509Chain? chain, SslPolicyErrors errors)
    {
        if (chain is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        foreach (var element in chain.ChainElements)
        {
            if (element.ChainElementStatus.Any(s => s.Status is not (X509ChainStatusFlags.NoError or X509ChainStatusFlags.PartialChain or X509ChainStatusFlags.UntrustedRoot)))
            {
                return false;
            }

            if (authorities.Any(a => a.RawData.AsSpan().SequenceEqual(element.Certificate.RawData)))
            {
                return true;
            }
        }

        return false;
    }
}
