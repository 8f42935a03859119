using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CiUpgrade.RealApiTests.Support;

namespace CiUpgrade.RealApiTests.Access;

/// <summary>
/// ciupgrade trusts exactly what kubectl trusts from a kubeconfig's certificate-authority-data: the same bundles
/// handed to both, against the real API server's self-signed pair (apiserver.crt: the serving certificate, then its CA).
/// </summary>
[Collection(LockingCollection.Name)]
public sealed class TlsTrustTests(RealApiServer server) : SeededInstallTest(server, "tls")
{
    public static TheoryData<string> Bundles => ["server certificate and CA", "CA alone", "CA and server certificate", "server certificate alone", "another CA"];

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task Ciupgrade_accepts_a_certificate_authority_bundle_exactly_when_kubectl_does(string bundle)
    {
        var kubeconfig = Server.KubeconfigWithAuthority(Pem(bundle), $"kubeconfig-{bundle.Replace(' ', '-')}");

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var kubectl = await ChildProcess.RunAsync("kubectl", ["--kubeconfig", kubeconfig, "get", "--raw", "/version"], new Dictionary<string, string?> { ["KUBECONFIG"] = null }, timeout.Token);
        var run = await RunAsAsync(kubeconfig, "preflight");

        var expected = bundle != "another CA";
        Assert.True((kubectl.Code == 0) == expected, $"kubectl with {bundle}: exit {kubectl.Code} {kubectl.Err}");
        if (expected)
        {
            Assert.True(run.Code == 0, run.ToString());
        }
        else
        {
            Assert.True(run.Code == 3, run.ToString());
            Assert.Contains("presented a certificate that the kubeconfig's certificate authority does not verify", run.Err, StringComparison.Ordinal);
            Assert.Single(run.Err.Trim().Split('\n'));
        }
    }

    private string Pem(string bundle)
    {
        var leaf = Server.ServingBundle[0].ExportCertificatePem();
        var ca = Server.ServingBundle[1].ExportCertificatePem();
        return bundle switch
        {
            "server certificate and CA" => leaf + "\n" + ca,
            "CA alone" => ca,
            "CA and server certificate" => ca + "\n" + leaf,
            "server certificate alone" => leaf,
            _ => AnotherCa(),
        };
    }

    private static string AnotherCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=another-cluster-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return other.ExportCertificatePem();
    }
}
