using System.Text.Json.Nodes;
using System.Xml.Linq;
using CiUpgrade.Cli;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// The optional ClusterRole in tekton/rbac/drift-all-namespaces.yaml grants exactly what `drift --all-namespaces`
/// reads: with it alone the check runs over every install; without any one of its rules it stops with exit 3 naming
/// the missing cluster-scoped grant; the namespaced Role is not enough, and the message says so.
/// </summary>
public sealed class DriftAllNamespacesRbacTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ciupgrade-drift-rbac-" + Guid.NewGuid().ToString("N")[..8]);
    private SimulatedCluster _cluster = null!;

    private static IReadOnlyList<JsonObject> Documents(string file) =>
        YamlJson.ParseAll(File.ReadAllText(Path.Combine(TektonFiles.Root, "rbac", file))).OfType<JsonObject>().ToList();

    private static JsonObject ClusterRole => Documents("drift-all-namespaces.yaml").Single(d => (string?)d["kind"] == "ClusterRole");

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        // Before the upgrade system-app reads AMP_RELEASE through a ConfigMap, and on the Oracle-backed install a build
        // owns amp-system:latest: the check uses every rule.
        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions
        {
            Timing = ControllerTiming.Fast,
            Seeds = [("3scale", SeedOptions.Default), ("tenant-a", SeedOptions.Parse("3scale-2.6,oracle"))],
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(int Code, string Error, string Junit)> DriftAllAsync(string roleJson, string name)
    {
        var token = _cluster.AddServiceAccountToken("3scale", "ciupgrade", roleJson);
        var junit = Path.Combine(_dir, name + ".xml");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["drift", "--all-namespaces", "--junit", junit,
            "--kubeconfig", _cluster.WriteKubeconfig(Path.Combine(_dir, name + ".kubeconfig"), token, "3scale")], stdout, stderr, Timeout);
        return (code, stderr.ToString(), junit);
    }

    [Fact]
    public async Task The_cluster_role_alone_lets_drift_check_every_install()
    {
        var (code, error, junit) = await DriftAllAsync(ClusterRole.ToJsonString(), "full");

        Assert.True(code == 1, error); // both installs are still on 2.6: drift, not a permission problem
        Assert.Equal(["3scale", "tenant-a"], XDocument.Load(junit).Root!.Elements("testsuite").Select(s => (string?)s.Attribute("package")));
    }

    [Fact]
    public async Task Without_any_one_rule_drift_stops_with_exit_3_naming_the_cluster_scoped_grant()
    {
        var rules = ClusterRole["rules"]!.AsArray();
        Assert.All(rules, r => Assert.Equal("""["list"]""", r!["verbs"]!.ToJsonString()));
        for (var i = 0; i < rules.Count; i++)
        {
            var reduced = ClusterRole.DeepClone().AsObject();
            reduced["rules"]!.AsArray().RemoveAt(i);
            var resource = (string)rules[i]!["resources"]![0]!;

            var (code, error, _) = await DriftAllAsync(reduced.ToJsonString(), $"without-{i}");

            Assert.True(code == 3, $"without {resource}: exit {code}: {error}");
            Assert.Contains($"grant \"list\" on \"{resource}\"", error, StringComparison.Ordinal);
            Assert.Contains("in all namespaces", error, StringComparison.Ordinal);
            Assert.Contains("tekton/rbac/drift-all-namespaces.yaml", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_namespaced_role_cannot_grant_it_and_the_message_says_so()
    {
        var role = File.ReadAllText(Path.Combine(TektonFiles.Root, "rbac", "ciupgrade.yaml"));

        var (code, error, _) = await DriftAllAsync(role, "namespaced");

        Assert.Equal(3, code);
        Assert.Contains("in all namespaces", error, StringComparison.Ordinal);
        Assert.Contains("a namespaced Role cannot", error, StringComparison.Ordinal);
        Assert.DoesNotContain("in namespace 3scale", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_binding_gives_the_cluster_role_to_the_read_only_service_account_drift_runs_as()
    {
        var binding = Documents("drift-all-namespaces.yaml").Single(d => (string?)d["kind"] == "ClusterRoleBinding");

        Assert.Equal(("ClusterRole", ClusterRole.Name()), ((string?)binding["roleRef"]!["kind"], (string?)binding["roleRef"]!["name"]));
        Assert.Equal("""[{"kind":"ServiceAccount","name":"ciupgrade-read","namespace":"3scale"}]""", binding["subjects"]!.ToJsonString());
    }
}
