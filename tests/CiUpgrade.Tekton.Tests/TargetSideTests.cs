using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Cli;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// tekton/target/ applied as a 3.11 (or 4.x) cluster admin applies it, then `ciupgrade target-kubeconfig` with the
/// admin's kubeconfig: the kubeconfig it writes is what the pipeline cluster's target Secret holds, and its account may
/// do exactly what the stored Roles say (the simulator authorizes service account tokens from its stored RBAC).
/// </summary>
public sealed partial class TargetSideTests : IAsyncDisposable
{
    private const string Ns = "3scale";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-target-side-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedCluster? _cluster;

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<(SimulatedCluster Cluster, string Admin)> StartAsync(ServerVersion version, SeedOptions seed)
    {
        Directory.CreateDirectory(_dir);
        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, ServerVersion = version, Seeds = [(Ns, seed)] });
        foreach (var file in Directory.GetFiles(Path.Combine(TektonFiles.Root, "target"), "*.yaml").Order(StringComparer.Ordinal))
        {
            // `oc apply -n 3scale -f tekton/target/`: the files name no namespace.
            foreach (var doc in YamlJson.ParseAll(File.ReadAllText(file)).OfType<JsonObject>())
            {
                Assert.Null(doc["metadata"]!["namespace"]);
                _cluster.Registry.Create(Plural((string)doc["kind"]!), Ns, doc);
            }
        }

        await _cluster.WaitForIdleAsync(Timeout);
        return (_cluster, _cluster.WriteKubeconfig(Path.Combine(_dir, "admin.kubeconfig"), ns: Ns));
    }

    private static string Plural(string kind) => kind switch
    {
        "ServiceAccount" => "serviceaccounts",
        "Role" => "roles",
        "RoleBinding" => "rolebindings",
        _ => throw new InvalidOperationException($"tekton/target/ holds a {kind}, which a namespace admin cannot apply"),
    };

    private static async Task<(int Code, string Out, string Err)> Ciupgrade(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--timeout", "5m"], stdout, stderr, Timeout);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task<(string Kubeconfig, string Token, string Err)> TargetKubeconfigAsync(string admin, string account, params string[] more)
    {
        var (code, output, error) = await Ciupgrade(["target-kubeconfig", "--service-account", account, "-n", Ns, "--kubeconfig", admin, .. more]);
        Assert.True(code == 0, error);
        var file = Path.Combine(_dir, account + ".kubeconfig");
        if (!more.Contains("--output-file"))
        {
            await File.WriteAllTextAsync(file, output);
        }

        var token = TokenLine().Match(await File.ReadAllTextAsync(file)).Groups["token"].Value;
        Assert.NotEmpty(token);
        Assert.DoesNotContain(token, error, StringComparison.Ordinal);
        return (file, token, error);
    }

    [Fact]
    public async Task On_311_the_token_controllers_secret_becomes_a_kubeconfig_whose_account_can_run_the_whole_upgrade()
    {
        var (cluster, admin) = await StartAsync(ServerVersion.OpenShift311, SeedOptions.Default);

        var (kubeconfig, token, error) = await TargetKubeconfigAsync(admin, "ciupgrade");

        Assert.Matches(@"its token comes from Secret ciupgrade-token-[a-z0-9]{5} \(valid while it exists\)", error);
        var backup = Path.Combine(_dir, "backup");
        foreach (var stage in new[] { ["preflight"], ["backup", "--backup-dir", backup, "--databases"], ["update-prehook"], ["patch-imagestreams"], ["set-release"], new[] { "verify", "--junit", Path.Combine(_dir, "v.xml") } })
        {
            var (code, output, err) = await Ciupgrade([.. stage, "--kubeconfig", kubeconfig]);
            Assert.True(code == 0, $"{stage[0]} exited {code}: {err}\n{output}");
            Assert.DoesNotContain(token, output + err, StringComparison.Ordinal);
        }

        Assert.Contains(cluster.Requests, r => r.User == $"system:serviceaccount:{Ns}:ciupgrade" && r.Path.EndsWith("/exec", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_4x_a_token_request_states_its_lifetime_and_the_read_only_account_may_check_but_not_change()
    {
        var (cluster, admin) = await StartAsync(ServerVersion.OpenShift4, SeedOptions.Default);
        var file = Path.Combine(_dir, "ciupgrade-read.kubeconfig");
        var before = DateTimeOffset.UtcNow;

        var (kubeconfig, token, error) = await TargetKubeconfigAsync(admin, "ciupgrade-read", "--token-lifetime", "48h", "--output-file", file);

        var expiry = DateTimeOffset.Parse(ValidUntil().Match(error).Groups["time"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(expiry, before.AddHours(48).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(48).AddSeconds(1));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), "the kubeconfig file is not owner-only");
        Assert.Equal(1, (await Ciupgrade("verify", "--kubeconfig", kubeconfig, "--junit", Path.Combine(_dir, "v.xml"))).Code); // a 2.6 install: checked, not upgraded
        Assert.Equal(1, (await Ciupgrade("drift", "--kubeconfig", kubeconfig, "--junit", Path.Combine(_dir, "d.xml"))).Code);
        var (code, _, denied) = await Ciupgrade("set-release", "--kubeconfig", kubeconfig);
        Assert.Equal(3, code);
        Assert.DoesNotContain(token, denied, StringComparison.Ordinal);
        Assert.Equal("2.6", (string?)cluster.Registry.Get("configmaps", Ns, "system-environment")!["data"]!["AMP_RELEASE"]);
    }

    [Fact]
    public async Task On_4x_the_secret_source_creates_one_token_secret_and_a_rerun_reuses_it()
    {
        var (cluster, admin) = await StartAsync(ServerVersion.OpenShift4, SeedOptions.Default);

        var first = await TargetKubeconfigAsync(admin, "ciupgrade", "--token-source", "secret");
        var second = await TargetKubeconfigAsync(admin, "ciupgrade", "--token-source", "secret");

        Assert.Equal(first.Token, second.Token);
        Assert.Single(cluster.Registry.List("secrets", Ns).Items, s => (string?)s["type"] == "kubernetes.io/service-account-token");
        Assert.Contains("Secret ciupgrade-ciupgrade-token", second.Err, StringComparison.Ordinal);
        Assert.Equal(0, (await Ciupgrade("preflight", "--kubeconfig", first.Kubeconfig)).Code);
    }

    [Fact]
    public async Task A_token_request_on_311_or_a_missing_account_is_refused_naming_what_to_do()
    {
        var (_, admin) = await StartAsync(ServerVersion.OpenShift311, SeedOptions.Default);

        var request = await Ciupgrade("target-kubeconfig", "-n", Ns, "--kubeconfig", admin, "--token-source", "request");
        var missing = await Ciupgrade("target-kubeconfig", "-n", Ns, "--kubeconfig", admin, "--service-account", "nobody");

        Assert.Equal((4, ""), (request.Code, request.Out));
        Assert.Contains("serves no TokenRequest: use --token-source secret", request.Err, StringComparison.Ordinal);
        Assert.Equal(4, missing.Code);
        Assert.Contains("service account nobody not found in namespace 3scale: apply tekton/target/", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_read_only_role_suffices_for_verify_and_drift_before_and_after_an_oracle_upgrade_and_every_rule_is_needed()
    {
        var (cluster, admin) = await StartAsync(ServerVersion.OpenShift311, SeedOptions.Parse("3scale-2.6,oracle"));
        var (reader, _, _) = await TargetKubeconfigAsync(admin, "ciupgrade-read");
        var rules = cluster.Registry.Get("roles", Ns, "ciupgrade-read")!["rules"]!.AsArray().DeepClone().AsArray();
        var needed = new HashSet<int>();

        async Task CheckAsync(string state, int expected)
        {
            foreach (var verb in new[] { "verify", "drift" })
            {
                var (code, output, error) = await Ciupgrade(verb, "--kubeconfig", reader, "--junit", Path.Combine(_dir, verb + ".xml"));
                Assert.True(code == expected, $"{verb} {state} with the whole read-only role exited {code}: {error}\n{output}");
            }

            for (var i = 0; i < rules.Count; i++)
            {
                var reduced = rules.DeepClone().AsArray();
                reduced.RemoveAt(i);
                cluster.Registry.Modify("roles", Ns, "ciupgrade-read", r => { r["rules"] = reduced; return r; });
                foreach (var verb in new[] { "verify", "drift" })
                {
                    var (code, _, error) = await Ciupgrade(verb, "--kubeconfig", reader, "--junit", Path.Combine(_dir, verb + ".xml"));
                    if (code != expected)
                    {
                        Assert.True(code == 3, $"{verb} {state} without rule {i} exited {code}: {error}");
                        Assert.Contains((string)rules[i]!["resources"]![0]!, error, StringComparison.Ordinal);
                        needed.Add(i);
                    }
                }
            }

            cluster.Registry.Modify("roles", Ns, "ciupgrade-read", r => { r["rules"] = rules.DeepClone(); return r; });
        }

        // Before the upgrade the release comes through a ConfigMap and a build pushed amp-system: checked, not passed.
        await CheckAsync("before the upgrade", 1);
        var clientDir = Path.Combine(_dir, "oracle-client");
        Directory.CreateDirectory(Path.Combine(clientDir, "oracle-client-files"));
        foreach (var file in ThreeScaleSeed.OracleClientFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(clientDir, file), "stand-in");
        }

        foreach (var stage in new[] { ["preflight", "--oracle-client-dir", clientDir], ["update-prehook"], ["patch-imagestreams", "--oracle-client-dir", clientDir], new[] { "set-release" } })
        {
            var (code, _, error) = await Ciupgrade([.. stage, "--kubeconfig", admin]);
            Assert.True(code == 0, $"{stage[0]}: {error}");
        }

        await CheckAsync("after the upgrade", 0);
        Assert.True(needed.Count == rules.Count, $"rules no check needed: {string.Join(", ", Enumerable.Range(0, rules.Count).Except(needed).Select(i => rules[i]!.ToJsonString()))}");
    }

    [Fact]
    public void The_single_role_of_tekton_rbac_is_the_upgrade_and_backup_roles_and_the_upgrade_account_can_read_what_the_reader_can()
    {
        JsonArray Rules(string path, string role) => YamlJson.ParseAll(File.ReadAllText(Path.Combine(TektonFiles.Root, path))).OfType<JsonObject>()
            .Single(d => (string?)d["kind"] == "Role" && d.Name() == role)["rules"]!.AsArray();
        var union = new JsonArray([.. Rules("target/role-upgrade.yaml", "ciupgrade-upgrade").Select(r => r!.DeepClone()), .. Rules("target/role-backup.yaml", "ciupgrade-backup").Select(r => r!.DeepClone())]);

        Assert.Equal(Rules("rbac/ciupgrade.yaml", "ciupgrade").ToJsonString(), union.ToJsonString());
        var upgrade = Simulator.Auth.AccessControl.GrantsFromRoleYaml(File.ReadAllText(Path.Combine(TektonFiles.Root, "target", "role-upgrade.yaml")), Ns);
        foreach (var rule in Rules("target/role-read.yaml", "ciupgrade-read").OfType<JsonObject>())
        {
            foreach (var (group, resource, verb) in from g in rule["apiGroups"]!.AsArray() from r in rule["resources"]!.AsArray() from v in rule["verbs"]!.AsArray()
                     select ((string)g!, (string)r!, (string)v!))
            {
                Assert.True(upgrade.Any(u => u.Rule.Allows(group, resource, verb, null)), $"ciupgrade-upgrade does not allow {verb} {resource} ({group})");
            }
        }
    }

    [GeneratedRegex("token: \"(?<token>[^\"]+)\"")]
    private static partial Regex TokenLine();

    [GeneratedRegex(@"valid until (?<time>\S+Z)")]
    private static partial Regex ValidUntil();
}
