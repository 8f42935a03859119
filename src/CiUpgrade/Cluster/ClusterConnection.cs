using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Exceptions;

namespace CiUpgrade.Cluster;

/// <summary>
/// Finds the cluster as kubectl does: --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the pod's
/// service account; --context picks a context; the namespace comes from -n, else the context, else the pod.
/// Never falls back to localhost:8080, and never prints the token.
/// </summary>
public static class ClusterConnection
{
    public static (KubernetesClientConfiguration Config, string Namespace) Resolve(string? kubeconfig, string? context, string? ns)
    {
        KubernetesClientConfiguration config;
        var path = kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator).FirstOrDefault(p => p.Length > 0);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var defaultPath = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".kube", "config");
        try
        {
            if (path is not null)
            {
                if (!File.Exists(path))
                {
                    throw new UpgradeException(ExitCode.BadInput, $"kubeconfig {path} does not exist: pass an existing file with --kubeconfig or set KUBECONFIG");
                }

                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, currentContext: context);
            }
            else if (defaultPath is not null && File.Exists(defaultPath))
            {
                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(defaultPath, currentContext: context);
            }
            else if (KubernetesClientConfiguration.IsInCluster())
            {
                config = KubernetesClientConfiguration.InClusterConfig();
            }
            else
            {
                throw new UpgradeException(ExitCode.BadInput, "no cluster configured: pass --kubeconfig, set KUBECONFIG, or run inside a pod with a service account");
            }
        }
        catch (KubeConfigException e)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot use the kubeconfig: {FirstLine(e.Message)} (check --kubeconfig and --context)");
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot read the kubeconfig {path ?? defaultPath}: {FirstLine(e.Message)}");
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
        if (!config.SkipTlsVerify && config.SslCaCerts is { Count: > 0 } authorities)
        {
            // Trust exactly the kubeconfig's certificate authorities, as kubectl does (client-go puts only the
            // certificate-authority data in its TLS RootCAs). The default policy validates against the system trust
            // store first, only for KubernetesClient's callback to validate again against these authorities; and
            // with nothing trusted from it, the system store need not be read at all (SystemTrustStore).
            config.FirstMessageHandlerSetup = handler => handler.SslOptions.CertificateChainPolicy = TrustOnly(authorities);
            SystemTrustStore.Skip();
        }

        return counter is null ? new Kubernetes(config, new TransientRetryHandler(outage)) : new Kubernetes(config, new TransientRetryHandler(outage), counter);
    }

    private static X509ChainPolicy TrustOnly(X509Certificate2Collection authorities)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // As kubectl: an API server certificate is not checked for revocation (no CRL or OCSP request).
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(authorities);
        return policy;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
