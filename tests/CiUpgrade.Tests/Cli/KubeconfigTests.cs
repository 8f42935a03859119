using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CiUpgrade.Cli;
using CiUpgrade.Cluster;

namespace CiUpgrade.Tests.Cli;

/// <summary>
/// Every kubeconfig problem is one line naming the file and what to do, exit 2, before any request; a KUBECONFIG list
/// is merged as kubectl merges it (client-go's loading rules: first file wins per name, missing files skipped,
/// relative paths resolved per file).
/// </summary>
public sealed class KubeconfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-kubeconfig-" + Guid.NewGuid().ToString("N")[..8]);

    public KubeconfigTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Err)> Verify(string kubeconfig, params string[] more)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["verify", "--kubeconfig", kubeconfig, "-n", "3scale", .. more], stdout, stderr, CancellationToken.None);
        return (code, stderr.ToString());
    }

    private const string Cluster = "clusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n";
    private const string User = "users:\n- name: u\n  user: {token: abc}\n";

    [Theory]
    [InlineData("", "{0} is empty (no clusters, users or contexts): pass a kubeconfig written by `oc login` or `kubectl config`")]
    [InlineData("   \n", "{0} is empty (no clusters, users or contexts)")]
    [InlineData("clusters: [ {", "kubeconfig {0} is not a kubeconfig: ")]
    [InlineData("just a sentence", "kubeconfig {0} is not a kubeconfig: ")]
    [InlineData(Cluster + User + "contexts:\n- name: x\n  context: {cluster: c, user: u}\n", "{0} sets no current-context: pass --context (contexts: x) or run `kubectl config use-context NAME`")]
    [InlineData(Cluster + User + "current-context: y\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n", "context \"y\" is not in kubeconfig {0} (contexts: x): pass --context with one of them")]
    [InlineData(User + "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n", "context \"x\" names cluster \"c\", which kubeconfig {0} does not define")]
    [InlineData(Cluster + "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n", "context \"x\" names user \"u\", which kubeconfig {0} does not define")]
    [InlineData(User + "current-context: x\ncontexts:\n- name: x\n  context: {user: u}\n", "context \"x\" in kubeconfig {0} names no cluster")]
    [InlineData("clusters:\n- name: c\n  cluster: {}\n" + User + "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n", "cluster \"c\" in kubeconfig {0} has no server")]
    [InlineData(Cluster + "users:\n- name: u\n  user: {}\n" + "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n", "cannot use context \"x\" of kubeconfig {0}: ")]
    public async Task Every_kubeconfig_problem_is_one_line_and_exit_2(string content, string message)
    {
        var path = Write("config", content);

        var (code, error) = await Verify(path);

        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, path), error, StringComparison.Ordinal);
        Assert.DoesNotContain("Object reference", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_context_named_by_flag_that_is_missing_names_the_contexts_there_are()
    {
        var path = Write("config", Cluster + User + "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n- name: X2\n  context: {cluster: c, user: u}\n");

        var (code, error) = await Verify(path, "--context", "X");

        Assert.Equal(2, code);
        Assert.Equal($"error: context \"X\" is not in kubeconfig {path} (contexts: x, X2): pass --context with one of them", error.Trim());
    }

    [Fact]
    public void A_kubeconfig_list_is_merged_first_file_wins_per_name_missing_files_skipped_paths_resolved_per_file()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=merge-test-ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Write("second/ca.pem", ca.ExportCertificatePem());
        var first = Write("first/config",
            "current-context: ctx\ncontexts:\n- name: ctx\n  context: {cluster: c1, user: u1, namespace: from-first}\nusers:\n- name: u1\n  user: {token: first-token}\n");
        var second = Write("second/config",
            "current-context: other\n"
            + "contexts:\n- name: ctx\n  context: {cluster: c2, user: u2, namespace: from-second}\n- name: other\n  context: {cluster: c2, user: u2}\n"
            + "clusters:\n- name: c1\n  cluster: {server: 'https://one.example:6443', certificate-authority: ca.pem}\n- name: c2\n  cluster: {server: 'https://two.example:6443'}\n"
            + "users:\n- name: u1\n  user: {token: second-token}\n- name: u2\n  user: {token: u2-token}\n");
        var list = string.Join(Path.PathSeparator, "", Path.Combine(_dir, "missing"), first, second, first);

        var config = KubeconfigFiles.Load(KubeconfigFiles.FromEnvironmentList(list), null, "KUBECONFIG");

        Assert.Equal([Path.Combine(_dir, "missing"), first, second], KubeconfigFiles.FromEnvironmentList(list));
        Assert.Equal("https://one.example:6443", config.Host);
        Assert.Equal("first-token", config.AccessToken);
        Assert.Equal("from-first", config.Namespace);
        Assert.Equal(ca.Thumbprint, Assert.Single(config.SslCaCerts!).Thumbprint);
        Assert.Equal("https://two.example:6443", KubeconfigFiles.Load([first, second], "other", "KUBECONFIG").Host);
    }

    [Fact]
    public void A_kubeconfig_list_whose_files_are_all_missing_is_refused_naming_them()
    {
        var e = Assert.Throws<UpgradeException>(() => KubeconfigFiles.Load([Path.Combine(_dir, "a"), Path.Combine(_dir, "b")], null, "KUBECONFIG"));

        Assert.Equal(ExitCode.BadInput, e.ExitCode);
        Assert.Equal($"none of the kubeconfig files KUBECONFIG lists exists ({Path.Combine(_dir, "a")}, {Path.Combine(_dir, "b")}): pass an existing file with --kubeconfig or fix KUBECONFIG", e.Message);
    }
}
