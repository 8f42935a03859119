using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// The kubeconfig's certificate authority is the only trust, as kubectl's: an API server whose certificate another
/// authority signed is refused even when the machine's certificate store trusts it, and the executable (which keeps
/// that store unread) still verifies the right server. A refused certificate is not an outage: exit 3 at once.
/// </summary>
public sealed class TlsTrustTests : UpgradeTest
{
    /// <summary>The simulator's kubeconfig with the certificate-authority-data of a CA that did not sign its certificate.</summary>
    private string KubeconfigTrustingAnotherCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=another-cluster-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var ours = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Cluster.CertificateAuthorityPem));
        var theirs = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(other.ExportCertificatePem()));
        var path = Path.Combine(Dir, "kubeconfig-other-ca");
        File.WriteAllText(path, File.ReadAllText(Kubeconfig).Replace(ours, theirs, StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public async Task A_server_the_kubeconfigs_ca_did_not_sign_is_refused_with_exit_3()
    {
        var (code, output, error) = await Ciupgrade("verify", "--junit", Path.Combine(Dir, "junit.xml"), "--kubeconfig", KubeconfigTrustingAnotherCa());

        Assert.True(code == 3, $"exit {code}: {error}\n{output}");
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("presented a certificate that the kubeconfig's certificate authority does not verify", error, StringComparison.Ordinal);
        // Refused at once, not ridden out as an outage (--api-retry-budget).
        Assert.DoesNotContain("unreachable", output, StringComparison.Ordinal);
        Assert.Empty(Cluster.Requests);
    }

    [Fact]
    public async Task The_executable_trusts_only_the_kubeconfigs_ca_even_when_the_machine_store_trusts_the_server()
    {
        // The machine's store (SSL_CERT_FILE, as OpenSSL and .NET read it) holds the simulator's CA: with the default
        // validation that alone would accept the server whatever the kubeconfig says.
        var machineStore = Path.Combine(Dir, "machine-store.pem");
        File.WriteAllText(machineStore, Cluster.CertificateAuthorityPem);

        var refused = await PreflightAsync(KubeconfigTrustingAnotherCa(), machineStore);
        var accepted = await PreflightAsync(Kubeconfig, machineStore);

        Assert.True(refused.Code == 3, $"exit {refused.Code}: {refused.Err}\n{refused.Out}");
        Assert.Single(refused.Err.Trim().Split('\n'));
        Assert.Contains("certificate authority does not verify", refused.Err, StringComparison.Ordinal);
        Assert.True(accepted.Code == 0, $"exit {accepted.Code}: {accepted.Err}\n{accepted.Out}");
        Assert.Contains("preflight", accepted.Out, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Out, string Err)> PreflightAsync(string kubeconfig, string machineStore) =>
        RunExecutableAsync(new Dictionary<string, string?> { ["SSL_CERT_FILE"] = machineStore, ["SSL_CERT_DIR"] = null }, "preflight", "--kubeconfig", kubeconfig);
}
