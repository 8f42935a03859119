using System.Text;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// The executable as a user runs it, with the environment kubectl users have: a KUBECONFIG list merged as kubectl
/// merges it, and a kubeconfig user whose token comes from an exec credential plugin, which must see the
/// SSL_CERT_FILE/SSL_CERT_DIR the user set although ciupgrade keeps the machine's store unread for itself (review N6).
/// </summary>
public sealed class KubeconfigEnvironmentTests : UpgradeTest
{
    private string CaData => Convert.ToBase64String(Encoding.ASCII.GetBytes(Cluster.CertificateAuthorityPem));

    private string Server => Cluster.BaseUri.ToString().TrimEnd('/');

    [Fact]
    public async Task A_kubeconfig_list_is_merged_as_kubectl_merges_it()
    {
        // The context (and namespace) in one file, the cluster and user in another: only a merge of both reaches the cluster.
        var contexts = Path.Combine(Dir, "contexts.yaml");
        await File.WriteAllTextAsync(contexts, $"apiVersion: v1\nkind: Config\ncurrent-context: sim\ncontexts:\n- name: sim\n  context: {{cluster: sim, user: admin, namespace: {Ns}}}\n");
        var credentials = Path.Combine(Dir, "credentials.yaml");
        await File.WriteAllTextAsync(credentials,
            $"apiVersion: v1\nkind: Config\ncurrent-context: elsewhere\ncontexts:\n- name: sim\n  context: {{cluster: nowhere, user: admin, namespace: not-this-one}}\n"
            + $"clusters:\n- name: sim\n  cluster: {{server: '{Server}', certificate-authority-data: {CaData}}}\n- name: nowhere\n  cluster: {{server: 'https://127.0.0.1:1'}}\n"
            + $"users:\n- name: admin\n  user: {{token: {Cluster.AdminToken}}}\n");
        var list = string.Join(Path.PathSeparator, Path.Combine(Dir, "missing.yaml"), contexts, credentials);

        var (code, output, error) = await RunExecutableAsync(new Dictionary<string, string?> { ["KUBECONFIG"] = list }, "preflight");

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains($"checking namespace {Ns} on {Server}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exec_credential_plugin_sees_the_users_ssl_cert_variables()
    {
        var log = Path.Combine(Dir, "plugin.log");
        var plugin = Path.Combine(Dir, "credential-plugin.sh");
        await File.WriteAllTextAsync(plugin,
            "#!/bin/sh\n"
            + $"echo \"SSL_CERT_FILE=${{SSL_CERT_FILE-unset}} SSL_CERT_DIR=${{SSL_CERT_DIR-unset}}\" >> '{log}'\n"
            + $"printf '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{Cluster.AdminToken}\"}}}}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var kubeconfig = Path.Combine(Dir, "exec.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig,
            $"apiVersion: v1\nkind: Config\ncurrent-context: sim\ncontexts:\n- name: sim\n  context: {{cluster: sim, user: plugin, namespace: {Ns}}}\n"
            + $"clusters:\n- name: sim\n  cluster: {{server: '{Server}', certificate-authority-data: {CaData}}}\n"
            + $"users:\n- name: plugin\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {plugin}\n      interactiveMode: Never\n");
        var store = Path.Combine(Dir, "users-store.pem");
        await File.WriteAllTextAsync(store, Cluster.CertificateAuthorityPem);
        var storeDir = Path.Combine(Dir, "users-certs");
        Directory.CreateDirectory(storeDir);

        var (code, output, error) = await RunExecutableAsync(
            new Dictionary<string, string?> { ["SSL_CERT_FILE"] = store, ["SSL_CERT_DIR"] = storeDir, ["KUBECONFIG"] = null },
            "verify", "--kubeconfig", kubeconfig, "--junit", Path.Combine(Dir, "junit.xml"));

        Assert.True(code == 1, $"exit {code} (verify of a 2.6 install fails its checks): {error}\n{output}");
        var runs = await File.ReadAllLinesAsync(log);
        // Once when the kubeconfig is read, again for the first request's token (KubernetesClient's ExecTokenProvider),
        // after the connection kept the machine's store unread for this process.
        Assert.True(runs.Length >= 2, string.Join("\n", runs));
        Assert.All(runs, line => Assert.Equal($"SSL_CERT_FILE={store} SSL_CERT_DIR={storeDir}", line));
    }
}
