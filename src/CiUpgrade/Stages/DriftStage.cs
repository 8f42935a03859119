using System.Globalization;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The scheduled check: for one namespace, or every 3scale install the credentials can see, one LIST each of
/// DeploymentConfigs and image streams (plus one of the release ConfigMaps when a release is read through
/// one); the drift rules per namespace; a JUnit testsuite
/// per namespace; one line per drifted item saying what it was and what it is. Exit 1 on any drift.
/// </summary>
public sealed class DriftStage(StageContext context)
{
    private const string Stage = "drift";

    public async Task<ExitCode> RunAsync(string junitPath, string? resultsDir, string? baselinePath, bool allNamespaces, string? selector, CancellationToken ct)
    {
        var started = context.Time.GetUtcNow();
        var baseline = baselinePath is null ? null : Baseline.Read(baselinePath);
        var client = context.Client;
        var dcs = allNamespaces ? (await client.ListDeploymentConfigsEverywhereAsync(selector, ct)).Items : (await client.ListDeploymentConfigsAsync(ct)).Items;
        var streams = allNamespaces ? (await client.ListImageStreamsEverywhereAsync(ct)).Items : (await client.ListImageStreamsAsync(ct)).Items;
        var release = context.Plan.Release;
        var installs = dcs.Where(d => d.Metadata.Name == release.DeploymentConfig).Select(d => d.Metadata.NamespaceProperty ?? context.Namespace)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (installs.Count == 0)
        {
            throw new UpgradeException(ExitCode.WrongClusterState, allNamespaces
                ? "no 3scale install found in any namespace these credentials can list"
                : $"namespace {context.Namespace} holds no 3scale install: DeploymentConfig {release.DeploymentConfig} not found (check -n/--namespace)");
        }

        var configMaps = await ReleaseConfigMapsAsync(dcs, allNamespaces, ct);
        var suites = new List<(string, string, IReadOnlyList<DigestResult>)>();
        foreach (var ns in installs)
        {
            string Ns<T>(T o, Func<T, string?> get) => get(o) ?? context.Namespace;
            var nsDcs = dcs.Where(d => Ns(d, x => x.Metadata.NamespaceProperty) == ns).ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
            var nsStreams = streams.Where(s => Ns(s, x => x.Metadata.NamespaceProperty) == ns).ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
            var app = nsDcs[release.DeploymentConfig];
            var state = new NamespaceState(ns, nsDcs, nsStreams, ReleaseEnvPatch.CurrentRelease(app, release,
                (name, key) => configMaps.GetValueOrDefault((ns, name))?.Data?.TryGetValue(key, out var v) == true ? v : null));
            var results = DriftCheck.Check(context.Plan, state, baseline?.Namespace == ns ? baseline.Images : null);
            foreach (var item in results.Where(r => r.Outcome == CheckOutcome.Failed))
            {
                context.Reporter.Event(Stage, "drift", $"{ns}: {item.Message}", new Dictionary<string, string> { ["namespace"] = ns, ["check"] = item.DeploymentConfig });
            }

            suites.Add(($"ciupgrade.drift.{ns}", ns, results));
        }

        var all = suites.SelectMany(s => s.Item3).ToList();
        var failed = all.Count(r => r.Outcome == CheckOutcome.Failed);
        var drifted = suites.Count(s => s.Item3.Any(r => r.Outcome == CheckOutcome.Failed));
        JUnitWriter.Save(junitPath, JUnitWriter.Build(suites, started, context.Time.GetUtcNow() - started, Environment.MachineName));
        var counts = TektonResults.Counts(all);
        counts["drifted"] = drifted.ToString(CultureInfo.InvariantCulture);
        TektonResults.Write(resultsDir, counts);
        context.Reporter.Event(Stage, "summary",
            $"{installs.Count} installs checked, {drifted} drifted; {all.Count - failed} checks passed, {failed} failed; {client.RequestsSent} requests; JUnit report: {junitPath}");
        return failed == 0 ? ExitCode.Success : ExitCode.VerificationFailed;
    }

    /// <summary>
    /// The ConfigMaps system-app reads its release from, where it does (before the upgrade): one GET for a
    /// namespace, one LIST narrowed by name across namespaces, never one request per install.
    /// </summary>
    private async Task<Dictionary<(string Ns, string Name), k8s.Models.V1ConfigMap>> ReleaseConfigMapsAsync(IList<DeploymentConfig> dcs, bool allNamespaces, CancellationToken ct)
    {
        var release = context.Plan.Release;
        var names = dcs.Where(d => d.Metadata.Name == release.DeploymentConfig)
            .SelectMany(d => d.Spec.Template?.Spec?.Containers ?? []).SelectMany(c => c.Env ?? [])
            .Where(e => e.Name == release.Env).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var found = new Dictionary<(string, string), k8s.Models.V1ConfigMap>();
        foreach (var name in names)
        {
            var maps = allNamespaces ? await context.Client.ListConfigMapsEverywhereAsync(name, ct)
                : await context.Client.GetConfigMapAsync(name, ct) is { } one ? [one] : [];
            foreach (var map in maps)
            {
                found[(map.Metadata.NamespaceProperty ?? context.Namespace, name)] = map;
            }
        }

        return found;
    }
}
