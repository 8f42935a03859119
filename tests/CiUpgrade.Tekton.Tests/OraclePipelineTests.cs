using System.Text.Json.Nodes;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// The upgrade Pipeline on an Oracle-backed install, with the oracle-client workspace bound: the path that uses
/// every rule of the shipped Role, so it is also where each rule is proven necessary.
/// </summary>
public sealed class OraclePipelineTests : IAsyncLifetime
{
    private const string Ns = "3scale";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-tekton-oracle-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedCluster _cluster = null!;

    private static string RoleYaml => File.ReadAllText(Path.Combine(TektonFiles.Root, "rbac", "ciupgrade.yaml"));

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    private string ClientDir => Path.Combine(_dir, "oracle-client");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "workspace"));
        Directory.CreateDirectory(Path.Combine(ClientDir, "oracle-client-files"));
        foreach (var file in ThreeScaleSeed.OracleClientFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(ClientDir, file), "stand-in");
        }

        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { Timing = ControllerTiming.Fast, Seeds = [(Ns, SeedOptions.Parse("3scale-2.6,oracle"))] });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private PipelineRunner Runner(string roleYaml, string name = "ci")
    {
        var token = _cluster.AddServiceAccountToken(Ns, "ciupgrade", roleYaml);
        return new PipelineRunner(_cluster.WriteKubeconfig(Path.Combine(_dir, name + ".kubeconfig"), token, Ns), Path.Combine(_dir, "workspace"),
            new Dictionary<string, string> { ["oracle-client"] = ClientDir, ["backups"] = Path.Combine(_dir, "backups") });
    }

    [Fact]
    public async Task Upgrade_pipeline_rebuilds_the_oracle_system_image_from_the_workspace_and_passes_verification()
    {
        var run = await Runner(RoleYaml).RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.True(run.Status == "Succeeded", string.Join("\n", run.Tasks.Select(t => $"{t.Name}: {t.Status} {t.Error}")));
        Assert.Equal("true", run.Task("preflight").Results["oracle"]);
        Assert.Contains(ClientDir, run.Task("patch-imagestreams").Args);
        Assert.Equal("Complete", (string?)_cluster.Registry.Get("builds", Ns, "3scale-amp-system-oracle-2")!["status"]!["phase"]);
        Assert.Equal(("Succeeded", "0"), (run.Results["verify-status"], run.Results["verify-failed"]));
    }

    [Fact]
    public async Task With_an_image_built_elsewhere_the_pipeline_tags_it_and_verify_judges_against_it()
    {
        // No oracle-client workspace: the system-image param replaces the in-cluster build (review N2).
        const string Built = "quay.example.com/acme/amp-system-oracle:2.7";
        var token = _cluster.AddServiceAccountToken(Ns, "ciupgrade", RoleYaml);
        var runner = new PipelineRunner(_cluster.WriteKubeconfig(Path.Combine(_dir, "own-image.kubeconfig"), token, Ns), Path.Combine(_dir, "workspace"),
            new Dictionary<string, string> { ["backups"] = Path.Combine(_dir, "backups") });

        var run = await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns, ["system-image"] = Built }, Timeout);

        Assert.True(run.Status == "Succeeded", string.Join("\n", run.Tasks.Select(t => $"{t.Name}: {t.Status} {t.Error}")));
        Assert.Contains(Built, run.Task("verify").Args);
        Assert.Equal(("Succeeded", "0"), (run.Results["verify-status"], run.Results["verify-failed"]));
        Assert.Null(_cluster.Registry.Get("builds", Ns, "3scale-amp-system-oracle-2"));
        var app = (string)_cluster.Registry.Get("deploymentconfigs", Ns, "system-app")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!;
        Assert.StartsWith("quay.example.com/acme/amp-system-oracle@sha256:", app, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_workspace_the_pipeline_stops_at_preflight_naming_the_missing_client_files()
    {
        var token = _cluster.AddServiceAccountToken(Ns, "ciupgrade", RoleYaml);
        var runner = new PipelineRunner(_cluster.WriteKubeconfig(Path.Combine(_dir, "unbound.kubeconfig"), token, Ns), Path.Combine(_dir, "workspace"),
            new Dictionary<string, string> { ["backups"] = Path.Combine(_dir, "backups") });

        var run = await runner.RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

        Assert.Equal(4, run.Task("preflight").ExitCode);
        Assert.Contains("--oracle-client-dir", run.Task("preflight").Error, StringComparison.Ordinal);
        Assert.Equal("None", run.Task("patch-imagestreams").Status);
    }

    [Fact]
    public async Task Removing_any_rule_of_the_shipped_role_fails_a_stage_with_exit_3_naming_the_permission_or_leaves_kinds_the_backup_names_as_skipped()
    {
        var role = Simulator.Json.YamlJson.ParseAll(RoleYaml).OfType<JsonObject>().Single(d => (string?)d["kind"] == "Role");
        var rules = role["rules"]!.AsArray();
        for (var i = 0; i < rules.Count; i++)
        {
            var reduced = role.DeepClone().AsObject();
            reduced["rules"]!.AsArray().RemoveAt(i);
            var removed = rules[i]!;
            if (DataRestoreOnly(removed))
            {
                // Only `rollback --restore-data` (the finally's data restore after a failed migration) uses these: a
                // green pipeline never sends them, so this run cannot tell whether they are needed.
                continue;
            }

            var run = await Runner(reduced.ToJsonString(), $"without-{i}").RunAsync("3scale-upgrade", new Dictionary<string, string> { ["namespace"] = Ns }, Timeout);

            var resources = removed["resources"]!.AsArray().Select(r => (string)r!).ToList();
            if (run.Status == "Succeeded")
            {
                // Only the project backup's list rules may go without failing a stage: each kind they cover is then
                // missing from the backup, and its manifest says so.
                var backups = Path.Combine(_dir, "backups", "backup", Ns);
                var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(backups, File.ReadAllText(Path.Combine(backups, "latest")).Trim(), "manifest.json")))!;
                var skipped = manifest["skipped"]!.AsArray().OfType<JsonObject>().ToDictionary(k => (string)k["resource"]!, k => (string)k["reason"]!);
                Assert.True(resources.All(r => skipped.TryGetValue(r, out var reason) && reason.StartsWith("forbidden", StringComparison.Ordinal)),
                    $"without rule {i} ({removed.ToJsonString()}) the run succeeded, but the backup did not list all of {string.Join(", ", resources)} as skipped: {manifest["skipped"]!.ToJsonString()}");
                continue;
            }

            var failed = run.Tasks.First(t => t.Status == "Failed");
            Assert.True(failed.ExitCode == 3, $"without rule {i} ({removed.ToJsonString()}): {failed.Name} exited {failed.ExitCode}: {failed.Error}");
            Assert.Contains(resources[0], failed.Error, StringComparison.Ordinal);
            Assert.True(failed.Error.Contains("missing permissions", StringComparison.Ordinal) || failed.Error.Contains("permission denied", StringComparison.Ordinal), failed.Error);
        }
    }

    /// <summary>The rules the data restore alone needs: its storage pod (pods create/delete) and its progress and redis-config updates.</summary>
    private static bool DataRestoreOnly(JsonNode rule)
    {
        var verbs = rule["verbs"]!.AsArray().Select(v => (string)v!).ToList();
        var names = rule["resourceNames"]?.AsArray().Select(n => (string)n!).ToList() ?? [];
        return verbs.Contains("delete") && rule["resources"]!.AsArray().Any(r => (string)r! == "pods")
            || names.Contains("ciupgrade-restore");
    }
}
