using k8s;
using k8s.Exceptions;

namespace CiUpgrade.Cluster;

/// <summary>
/// Finds the cluster as kubectl does: --kubeconfig, else the files $KUBECONFIG lists (merged, <see cref="KubeconfigFiles"/>),
/// else ~/.kube/config, else the pod's service account; --context picks a context; the namespace comes from -n, else
/// the context, else the pod.
/// Never falls back to localhost:8080, and never prints the token.
/// </summary>
public static class ClusterConnection
{
    public static (KubernetesClientConfiguration Config, string Namespace) Resolve(string? kubeconfig, string? context, string? ns)
    {
        KubernetesClientConfiguration config;
        var list = Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } value ? KubeconfigFiles.FromEnvironmentList(value) : [];
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var defaultPath = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".kube", "config");
        if (kubeconfig is not null)
        {
            config = KubeconfigFiles.Load([kubeconfig], context, "--kubeconfig");
        }
        else if (list.Count > 0)
        {
            // Every file of the list, merged as kubectl merges them (KubeconfigFiles).
            config = KubeconfigFiles.Load(list, context, "KUBECONFIG");
        }
        else if (defaultPath is not null && File.Exists(defaultPath))
        {
            config = KubeconfigFiles.Load([defaultPath], context, "~/.kube/config");
        }
        else if (KubernetesClientConfiguration.IsInCluster())
        {
            try
            {
                config = KubernetesClientConfiguration.InClusterConfig();
            }
            catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException)
            {
                throw new UpgradeException(ExitCode.BadInput, $"cannot use the pod's service account: {FirstLine(e.Message)}");
            }
        }
        else
        {
            throw new UpgradeException(ExitCode.BadInput, "no cluster configured: pass --kubeconfig, set KUBECONFIG, or run inside a pod with a service account");
        }

        var resolvedNamespace = ns ?? config.Namespace;
        if (string.IsNullOrWhiteSpace(resolvedNamespace))
        {
            throw new UpgradeException(ExitCode.BadInput, "no namespace: pass -n/--namespace with the namespace of the 3scale install");
        }

        return (config, resolvedNamespace);
    }

    /// <summary>
    /// A client whose requests go through <see cref="TransientRetryHandler"/>. HttpClient's own timeout is off: each
    /// attempt has its own limit, and an outage is bounded by <paramref name="outage"/>'s budget instead.
    /// </summary>
    public static Kubernetes CreateClient(KubernetesClientConfiguration config, ApiOutage outage, RequestCounter? counter = null)
    {
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        System.Net.Http.SocketsHttpHandler? tls = null;
        if (!config.SkipTlsVerify && config.SslCaCerts is { Count: > 0 } authorities)
        {
            // Trust exactly the kubeconfig's certificate authorities, as kubectl does (CertificateAuthorityTrust). The
            // default policy validates against the system trust store first, only for KubernetesClient's callback to
            // validate again against these authorities; and with nothing trusted from it, the system store need not be
            // read at all (SystemTrustStore).
            config.FirstMessageHandlerSetup = handler =>
            {
                handler.SslOptions.CertificateChainPolicy = CertificateAuthorityTrust.Policy(authorities);
                tls = handler;
            };
            SystemTrustStore.Skip();
        }

        var client = counter is null ? new Kubernetes(config, new TransientRetryHandler(outage)) : new Kubernetes(config, new TransientRetryHandler(outage), counter);
        if (tls is not null)
        {
            // KubernetesClient sets its own callback after the setup above (it wants the chain's root to be one of the
            // authorities, so a bundle's non-root anchor is refused): replaced before the first request is sent.
            var trusted = config.SslCaCerts!;
            tls.SslOptions.RemoteCertificateValidationCallback = (_, _, chain, errors) => CertificateAuthorityTrust.Accepts(trusted, chain, errors);
        }

        return client;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
