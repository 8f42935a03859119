using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using CiUpgrade.Cluster;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The scheduled check: for one namespace, one LIST each of DeploymentConfigs, image streams and their replication
/// controllers (plus the release ConfigMaps and Oracle builds where needed, see <see cref="InstallStateReader"/>); for
/// every install the credentials can see (-A), the same kinds in paged LISTs walked namespace by namespace (see
/// <see cref="PagedInstallReader"/>), each namespace checked and dropped as soon as it is read; the drift rules per
/// namespace, for the plan's DCs only; a JUnit testsuite per namespace; one line per drifted item saying what is
/// wrong. Exit 1 on any drift.
/// </summary>
public sealed class DriftStage(StageContext context)
{
    private const string Stage = "drift";

    /// <summary>A paged list expired by compaction between pages is started over, at most this many times in all.</summary>
    private const int ListAttempts = 3;

    public async Task<ExitCode> RunAsync(string junitPath, string? resultsDir, string? baselinePath, bool allNamespaces, string? selector, CancellationToken ct)
    {
        var started = context.Time.GetUtcNow();
        var baseline = baselinePath is null ? null : Baseline.Read(baselinePath);
        var client = context.Client;
        var suites = new List<(string Suite, string Namespace, IReadOnlyList<DigestResult> Results)>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await foreach (var state in ReadInstallsAsync(allNamespaces, selector, ct))
                {
                    suites.Add(($"ciupgrade.drift.{state.Namespace}", state.Namespace,
                        DriftCheck.Check(context.Plan, state, baseline?.Namespace == state.Namespace ? baseline.Images : null)));
                }

                break;
            }
            catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.Gone && allNamespaces && attempt < ListAttempts)
            {
                // client-go's pager starts over too when a continue token expires (tools/pager, FullListIfExpired).
                context.Reporter.Event(Stage, "relist", $"the API server expired the list between pages ({e.Message}); checking again from the start");
                suites.Clear();
            }
        }

        if (suites.Count == 0)
        {
            throw new UpgradeException(ExitCode.WrongClusterState, allNamespaces
                ? "no 3scale install found in any namespace these credentials can list"
                : $"namespace {context.Namespace} holds no 3scale install: DeploymentConfig {context.Plan.Release.DeploymentConfig} not found (check -n/--namespace)");
        }

        if (!allNamespaces)
        {
            // A pre-hook failure shows the command: mask the install's token in any form when these credentials may read it.
            await PreHookToken.MaskIfReadableAsync(context, context.Plan.PreHook, ct);
        }

        var secrets = context.Reporter.Secrets;
        suites = suites.Select(s => (s.Suite, s.Namespace, (IReadOnlyList<DigestResult>)s.Results
            .Select(r => r with { Message = secrets.Apply(r.Message), Problems = r.Problems.Select(secrets.Apply).ToList() }).ToList())).ToList();
        foreach (var (_, ns, results) in suites)
        {
            foreach (var item in results.Where(r => r.Outcome == CheckOutcome.Failed))
            {
                context.Reporter.Event(Stage, "drift", $"{ns}: {item.Message}", new Dictionary<string, string> { ["namespace"] = ns, ["check"] = item.DeploymentConfig });
            }
        }

        var all = suites.SelectMany(s => s.Results).ToList();
        var failed = all.Count(r => r.Outcome == CheckOutcome.Failed);
        var drifted = suites.Count(s => s.Results.Any(r => r.Outcome == CheckOutcome.Failed));
        JUnitWriter.Save(junitPath, JUnitWriter.Build(suites, started, context.Time.GetUtcNow() - started, Environment.MachineName));
        var counts = TektonResults.Counts(all);
        counts["drifted"] = drifted.ToString(CultureInfo.InvariantCulture);
        TektonResults.Write(resultsDir, counts);
        context.Reporter.Event(Stage, "summary",
            $"{suites.Count} installs checked, {drifted} drifted; {all.Count - failed} checks passed, {failed} failed; {client.RequestsSent} requests; JUnit report: {junitPath}");
        return failed == 0 ? ExitCode.Success : ExitCode.VerificationFailed;
    }

    private async IAsyncEnumerable<NamespaceState> ReadInstallsAsync(bool allNamespaces, string? selector, [EnumeratorCancellation] CancellationToken ct)
    {
        if (allNamespaces)
        {
            await foreach (var state in new PagedInstallReader(context).ReadEverywhereAsync(selector, ct))
            {
                yield return state;
            }

            yield break;
        }

        var dcs = (await context.Client.ListDeploymentConfigsAsync(ct)).Items;
        if (dcs.All(d => d.Metadata.Name != context.Plan.Release.DeploymentConfig))
        {
            yield break;
        }

        var streams = (await context.Client.ListImageStreamsAsync(ct)).Items;
        foreach (var state in await new InstallStateReader(context).ReadAsync([context.Namespace], dcs, streams, false, ct))
        {
            yield return state;
        }
    }
}
