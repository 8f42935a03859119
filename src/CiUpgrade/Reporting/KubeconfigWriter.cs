using System.Text;
using System.Text.Json;

namespace CiUpgrade.Reporting;

/// <summary>
/// A minimal kubeconfig (clientcmd v1 Config): one cluster (server, certificate-authority-data), one user (token), one
/// context naming the namespace, set as current. Scalars are written as JSON strings, which are YAML double-quoted
/// scalars (their \uXXXX escapes included), so no value can break the document.
/// </summary>
public static class KubeconfigWriter
{
    public static string Write(string server, string certificateAuthorityPem, string token, string ns, string account)
    {
        var name = account + "@" + ns;
        string[] lines =
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - name: target",
            "    cluster:",
            "      server: " + Q(server),
            "      certificate-authority-data: " + Q(Convert.ToBase64String(Encoding.ASCII.GetBytes(certificateAuthorityPem))),
            "users:",
            "  - name: " + Q(name),
            "    user:",
            "      token: " + Q(token),
            "contexts:",
            "  - name: " + Q(name),
            "    context:",
            "      cluster: target",
            "      user: " + Q(name),
            "      namespace: " + Q(ns),
            "current-context: " + Q(name),
        ];
        return string.Join("\n", lines) + "\n";
    }

    private static string Q(string value) => "\"" + JsonEncodedText.Encode(value).Value + "\"";
}
