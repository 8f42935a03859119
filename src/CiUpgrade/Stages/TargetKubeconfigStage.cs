using System.Text;
using CiUpgrade.Cluster;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;
using k8s;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// The target side's last step (tekton/target/): with the admin's own kubeconfig, read the pipeline ServiceAccount's
/// token and write the minimal kubeconfig the pipeline cluster's target Secret holds — this cluster's server, its CA, the
/// token, the namespace. The token goes into that kubeconfig only: it is masked in every line ciupgrade prints.
/// OpenShift 3.11: the token Secret the token controller created for the account; Kubernetes ≥ 1.24 (OpenShift ≥ 4.11): a
/// TokenRequest with a stated lifetime, or (`--token-source secret`) a kubernetes.io/service-account-token Secret created
/// for it, which the token controller fills and which never expires while it exists (Kubernetes docs "Manually create a
/// long-lived API token for a ServiceAccount").
/// </summary>
public sealed class TargetKubeconfigStage(StageContext context, ServiceAccountTokenClient client, KubernetesClientConfiguration connection)
{
    private const string Stage = "target-kubeconfig";

    /// <summary>How often a token Secret is read again while the token controller fills it (it takes well under a second).</summary>
    private static readonly TimeSpan TokenPoll = TimeSpan.FromMilliseconds(500);

    public async Task<ExitCode> RunAsync(string account, string sourceOption, TimeSpan lifetime, string? server, string? outputFile, TextWriter stdout, CancellationToken ct)
    {
        var ns = context.Namespace;
        var version = await context.Client.GetServerVersionAsync(ct);
        var sa = await client.GetServiceAccountAsync(account, ct)
            ?? throw new UpgradeException(ExitCode.WrongClusterState,
                $"service account {account} not found in namespace {ns}: apply tekton/target/ there first (oc apply -n {ns} -f tekton/target/)");
        var source = TokenSourceDecision.Decide(sourceOption, version.Major, version.Minor);
        string token, origin;
        string? secretCa = null;
        if (source == TokenSource.Request)
        {
            var answer = await client.RequestTokenAsync(account, (long)lifetime.TotalSeconds, ct)
                ?? throw new UpgradeException(ExitCode.WrongClusterState,
                    $"the API server at {context.Client.Server} (Kubernetes {version.GitVersion}) serves no TokenRequest: use --token-source secret");
            token = answer.Status.Token;
            context.Reporter.Secrets.Add(token);
            origin = $"a TokenRequest, valid until {answer.Status.ExpirationTimestamp?.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ} (--token-lifetime {DurationText.Format(lifetime)}): make a new one before then";
        }
        else
        {
            // Kubernetes ≥ 1.24 creates no token Secret by itself: one is created by name.
            var secret = await TokenSecretAsync(sa, TokenSourceDecision.Decide("auto", version.Major, version.Minor) == TokenSource.Request, ct);
            token = Encoding.UTF8.GetString(secret.Data["token"]);
            context.Reporter.Secrets.Add(token);
            secretCa = secret.Data.TryGetValue("ca.crt", out var ca) ? Encoding.UTF8.GetString(ca) : null;
            origin = $"Secret {secret.Metadata.Name} (valid while it exists)";
        }

        var authority = await AuthorityAsync(secretCa, ct);
        var kubeconfig = KubeconfigWriter.Write(server ?? connection.Host.TrimEnd('/'), authority, token, ns, account);
        if (outputFile is null)
        {
            await stdout.WriteAsync(kubeconfig);
        }
        else
        {
            Save(outputFile, kubeconfig);
        }

        context.Reporter.Event(Stage, "written",
            $"kubeconfig for system:serviceaccount:{ns}:{account} on {server ?? connection.Host.TrimEnd('/')} written to {outputFile ?? "stdout"}; its token comes from {origin}");
        return ExitCode.Success;
    }

    /// <summary>
    /// A filled token Secret of the account (the token controller's on OpenShift 3.11, which its `secrets` list names), else
    /// on Kubernetes ≥ 1.24 one created here by name, so a rerun finds it again. Waits for the token controller to fill it.
    /// </summary>
    private async Task<V1Secret> TokenSecretAsync(V1ServiceAccount sa, bool create, CancellationToken ct)
    {
        var account = sa.Metadata.Name;
        var created = $"{account}-ciupgrade-token";
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(context.Timeout);
        try
        {
            while (true)
            {
                // The account's own list first (3.11 names its token Secret there), then any token Secret annotated with it.
                var listed = (sa.Secrets ?? []).Select(r => r.Name).ToList();
                var filled = (await client.ListSecretsAsync(limit.Token))
                    .Where(s => s.Type == "kubernetes.io/service-account-token" && s.Data?.ContainsKey("token") == true
                        && s.Metadata.Annotations is { } annotations && annotations.TryGetValue("kubernetes.io/service-account.name", out var owner) && owner == account)
                    .OrderBy(s => listed.Contains(s.Metadata.Name) ? 0 : 1).ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (filled is not null)
                {
                    return filled;
                }

                if (create && await client.CreateSecretAsync(new V1Secret
                    {
                        ApiVersion = "v1",
                        Kind = "Secret",
                        Metadata = new V1ObjectMeta { Name = created, Annotations = new Dictionary<string, string> { ["kubernetes.io/service-account.name"] = account } },
                        Type = "kubernetes.io/service-account-token",
                    }, limit.Token) is not null)
                {
                    context.Reporter.Event(Stage, "secret", $"created Secret {created} for service account {account}; waiting for the token controller to fill it");
                }

                await Task.Delay(TokenPoll, context.Time, limit.Token);
                sa = await client.GetServiceAccountAsync(account, limit.Token) ?? sa;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new UpgradeException(ExitCode.RolloutFailed,
                $"no token for service account {account} in namespace {context.Namespace} after {DurationText.Format(context.Timeout)}: the token controller did not fill a token Secret (check kube-controller-manager, or use --token-source request)");
        }
    }

    /// <summary>
    /// The CA the pipeline verifies the server with: the admin kubeconfig's (it verified this very connection), else the
    /// token Secret's ca.crt, else the kube-root-ca.crt ConfigMap every namespace has since Kubernetes 1.20.
    /// </summary>
    private async Task<string> AuthorityAsync(string? secretCa, CancellationToken ct)
    {
        if (connection.SslCaCerts is { Count: > 0 } authorities)
        {
            return string.Concat(authorities.Select(c => c.ExportCertificatePem() + "\n"));
        }

        if (!string.IsNullOrWhiteSpace(secretCa))
        {
            return secretCa;
        }

        return (await client.GetConfigMapAsync("kube-root-ca.crt", ct))?.Data is { } data && data.TryGetValue("ca.crt", out var root) && root.Length > 0 ? root
            : throw new UpgradeException(ExitCode.BadInput,
                "no certificate authority for the kubeconfig: this kubeconfig names none (insecure-skip-tls-verify?) and the cluster publishes none: use a kubeconfig with certificate-authority-data");
    }

    private static void Save(string path, string kubeconfig)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            // Owner-only from the start: the file holds a token.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var file = new FileStream(path, options);
            file.Write(Encoding.UTF8.GetBytes(kubeconfig));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the kubeconfig to {path}: {e.Message} (check --output-file)");
        }
    }
}
