using System.Globalization;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The scheduled check: for one namespace, or every 3scale install the credentials can see, one LIST each of
/// DeploymentConfigs, image streams and their replication controllers (plus the release ConfigMaps and Oracle
/// builds where needed, see <see cref="InstallStateReader"/>); the drift rules per namespace, for the plan's DCs
/// only; a JUnit testsuite per namespace; one line per drifted item saying what is wrong. Exit 1 on any drift.
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

        if (!allNamespaces)
        {
            // A pre-hook failure shows the command: mask the install's token in any form when these credentials may read it.
            await PreHookToken.MaskIfReadableAsync(context, context.Plan.PreHook, ct);
        }

        var suites = new List<(string, string, IReadOnlyList<DigestResult>)>();
        foreach (var state in await new InstallStateReader(context).ReadAsync(installs, dcs, streams, allNamespaces, ct))
        {
            var ns = state.Namespace;
            var secrets = context.Reporter.Secrets;
            var results = DriftCheck.Check(context.Plan, state, baseline?.Namespace == ns ? baseline.Images : null)
                .Select(r => r with { Message = secrets.Apply(r.Message), Problems = r.Problems.Select(secrets.Apply).ToList() }).ToList();
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
}
