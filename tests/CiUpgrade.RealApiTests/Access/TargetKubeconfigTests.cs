using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.RealApiTests.Support;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.RealApiTests.Access;

/// <summary>
/// target-kubeconfig on a real Kubernetes 1.26 server, after tekton/target/ is applied as the repository ships it: the
/// kubeconfig it writes in each token mode authenticates as the ServiceAccount, reads what that account's Roles grant
/// and is refused what they do not, by the server's own authenticator and RBAC. The tier runs no kube-controller-manager,
/// so nothing fills a token Secret by itself: ciupgrade's own wait is shown to fail with its exit 5, then
/// <see cref="TokenControllerStandIn"/> writes what the token controller would, and the server checks that token.
/// </summary>
[Collection(LockingCollection.Name)]
public sealed partial class TargetKubeconfigTests(RealApiServer server) : SeededInstallTest(server, "target")
{
    private const string TokenSecretType = "kubernetes.io/service-account-token";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await TargetSide.ApplyAsync(Api, Ns);
    }

    [Fact]
    public async Task TokenRequest_mode_writes_a_kubeconfig_that_reads_what_ciupgrade_read_grants_and_is_refused_any_change()
    {
        var file = Path.Combine(Dir, "read.kubeconfig");

        var written = await RunAsync("target-kubeconfig", "--service-account", "ciupgrade-read", "--token-source", "request", "--token-lifetime", "1h", "--output-file", file);

        Assert.True(written.Code == 0, written.ToString());
        Assert.Contains("its token comes from a TokenRequest, valid until", written.Out + written.Err, StringComparison.Ordinal);
        var token = Token(file);
        Assert.DoesNotContain(token, written.Out + written.Err, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Empty(await TokenSecretsAsync());
        await WaitAuthenticatedAsync(token);

        // Everything verify reads, it may read: the 2.6 install fails verify on what it runs, not on access.
        var junit = Path.Combine(Dir, "verify.xml");
        var verify = await RunAsAsync(file, "verify", "--junit", junit);
        Assert.True(verify.Code == 1, verify.ToString());
        Assert.DoesNotContain("forbidden", verify.Out + verify.Err + await File.ReadAllTextAsync(junit), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("system-app", await File.ReadAllTextAsync(junit), StringComparison.Ordinal);

        // What an upgrade needs, it may not: preflight names the missing rights, a mutating stage is refused by the server.
        var preflight = await RunAsAsync(file, "preflight");
        Assert.True(preflight.Code == 3, preflight.ToString());
        Assert.True(preflight.Err.Contains($"missing permissions in namespace {Ns}: ", StringComparison.Ordinal), preflight.ToString());
        Assert.Contains("patch imagestreams.image.openshift.io", preflight.Err, StringComparison.Ordinal);
        Assert.Contains("patch deploymentconfigs.apps.openshift.io", preflight.Err, StringComparison.Ordinal);
        var before = (await StreamAsync("amp-system"))["metadata"]!["resourceVersion"]!.ToString();
        var patch = await RunAsAsync(file, "patch-imagestreams", "--no-wait");
        Assert.True(patch.Code == 3, patch.ToString());
        Assert.Single(patch.Err.Trim().Split('\n'));
        Assert.Contains($"User \"system:serviceaccount:{Ns}:ciupgrade-read\" cannot", patch.Err, StringComparison.Ordinal);
        Assert.Equal(before, (await StreamAsync("amp-system"))["metadata"]!["resourceVersion"]!.ToString());
        Assert.Null(await ConfigMapAsync("ciupgrade-lock"));
    }

    [Fact]
    public async Task Token_secret_mode_waits_for_the_token_controller_and_its_kubeconfig_may_upgrade_but_not_read_other_namespaces()
    {
        var file = Path.Combine(Dir, "upgrade.kubeconfig");
        var secretName = "ciupgrade-ciupgrade-token";

        // No token controller runs here: ciupgrade creates the Secret, waits --timeout for it to be filled, and says so.
        var unfilled = await RunAsync("target-kubeconfig", "--service-account", "ciupgrade", "--token-source", "secret", "--output-file", file, "--timeout", "3s");

        Assert.True(unfilled.Code == 5, unfilled.ToString());
        Assert.Single(unfilled.Err.Trim().Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("no token for service account ciupgrade", unfilled.Err, StringComparison.Ordinal);
        Assert.Contains("the token controller did not fill a token Secret", unfilled.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        var created = Assert.Single(await TokenSecretsAsync());
        Assert.Equal((secretName, "ciupgrade"), (created.Name(), created["metadata"]!["annotations"].Str("kubernetes.io/service-account.name")));
        Assert.Null(created["data"]?["token"]);

        await TokenControllerStandIn.FillAsync(Api, Ns, secretName, await File.ReadAllTextAsync(Server.ServiceAccountKey),
            string.Concat(Server.ServingBundle.Select(c => c.ExportCertificatePem() + "\n")));
        var written = await RunAsync("target-kubeconfig", "--service-account", "ciupgrade", "--token-source", "secret", "--output-file", file);

        Assert.True(written.Code == 0, written.ToString());
        Assert.Contains($"its token comes from Secret {secretName} (valid while it exists)", written.Out + written.Err, StringComparison.Ordinal);
        var token = Token(file);
        var filled = Assert.Single(await TokenSecretsAsync());
        Assert.Equal(Encoding.UTF8.GetString(Convert.FromBase64String(filled["data"].Str("token")!)), token);
        Assert.DoesNotContain(token, unfilled.Out + unfilled.Err + written.Out + written.Err, StringComparison.Ordinal);
        await WaitAuthenticatedAsync(token);

        // ciupgrade-read, ciupgrade-upgrade and ciupgrade-backup together grant every right the stages check for.
        var preflight = await RunAsAsync(file, "preflight");
        Assert.True(preflight.Code == 0, preflight.ToString());
        // Only in its namespace: a fleet-wide drift is refused by the server.
        var all = await RunAsAsync(file, "drift", "--all-namespaces", "--junit", Path.Combine(Dir, "drift.xml"));
        Assert.True(all.Code == 3, all.ToString());
        Assert.Contains($"\"system:serviceaccount:{Ns}:ciupgrade\" cannot list", all.Err, StringComparison.Ordinal);
    }

    private static string Token(string kubeconfig) =>
        TokenLine().Match(File.ReadAllText(kubeconfig)) is { Success: true } m ? m.Groups["token"].Value : throw new InvalidOperationException($"no token in {kubeconfig}");

    private async Task<IReadOnlyList<JsonObject>> TokenSecretsAsync() =>
        (await Api.ObjectAsync($"api/v1/namespaces/{Ns}/secrets"))["items"]!.AsArray().OfType<JsonObject>().Where(s => s.Str("type") == TokenSecretType).ToList();

    /// <summary>
    /// Until the server authenticates <paramref name="token"/>: it checks a legacy token against its informer's copy of
    /// the Secret, which may trail the write by a moment (a TokenRequest token is accepted at once). Polls a read the
    /// token's account may make; fails after a minute.
    /// </summary>
    private async Task WaitAuthenticatedAsync(string token)
    {
        using var api = new RealApi(Server.BaseUri, Server.ServingBundle, token);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while ((await api.GetAsync($"api/v1/namespaces/{Ns}/configmaps/system-environment")).Code == HttpStatusCode.Unauthorized)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), limit.Token);
        }
    }

    [GeneratedRegex("token: \"(?<token>[^\"]+)\"")]
    private static partial Regex TokenLine();
}
