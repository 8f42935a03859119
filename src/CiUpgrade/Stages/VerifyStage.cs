using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Runbook step 9, the CI gate: one LIST each of DCs, image streams and their replication controllers, sent together (plus
/// the release ConfigMap and Oracle builds where needed); the rules of <see cref="VerifyRules"/> per DC of the plan
/// and the release; a JUnit report and Tekton results. Exit 1 when any check fails.
/// </summary>
public sealed class VerifyStage(StageContext context)
{
    private const string Stage = "verify";

    /// <param name="systemImage">The image this run chose with --system-image, else null: the one recorded in the cluster (<see cref="ChosenImage"/>).</param>
    public async Task<ExitCode> RunAsync(string junitPath, string? resultsDir, string? baselinePath, CancellationToken ct, string? systemImage = null)
    {
        var started = context.Time.GetUtcNow();
        // Independent reads go out together (one HTTP/2 connection multiplexes them): a round trip each, not one after another.
        var listingDcs = context.Client.ListDeploymentConfigsToJudgeAsync(ct);
        var listingStreams = context.Client.ListImageStreamsAsync(ct);
        var listingRcs = context.Client.ListDeploymentReplicationControllersAsync(false, ct);
        // The pre-hook testcase may show the hook command, which may carry the token in any form: mask its value too when readable.
        var masking = PreHookToken.MaskIfReadableAsync(context, context.Plan.PreHook, ct);
        await Task.WhenAll(listingDcs, listingStreams, listingRcs, masking);
        var dcs = (await listingDcs).Items;
        var streams = (await listingStreams).Items;
        var state = (await new InstallStateReader(context).ReadAsync([context.Namespace], dcs, streams, false, ct, await listingRcs))[0];
        var results = VerifyRules.Check(context.Plan, state, systemImage).Select(Masked).ToList();
        var elapsed = context.Time.GetUtcNow() - started;
        foreach (var r in results)
        {
            context.Reporter.Event(Stage, r.Outcome.ToString().ToLowerInvariant(), $"{r.DeploymentConfig}: {r.Outcome.ToString().ToUpperInvariant()} {r.Message}{(r.Notes.Count == 0 ? string.Empty : $" (not checked: {string.Join("; ", r.Notes)})")}",
                new Dictionary<string, string> { ["deploymentConfig"] = r.DeploymentConfig, ["outcome"] = r.Outcome.ToString() });
        }

        JUnitWriter.Save(junitPath, JUnitWriter.Build("ciupgrade.verify", context.Namespace, results, started, elapsed, Environment.MachineName));
        if (baselinePath is not null)
        {
            Baseline.Write(baselinePath, context.Namespace, null, dcs);
            context.Reporter.Event(Stage, "baseline", $"images of {dcs.Count} DeploymentConfigs recorded in {baselinePath}");
        }

        var counts = TektonResults.Counts(results);
        TektonResults.Write(resultsDir, counts);
        context.Reporter.Event(Stage, "summary", $"{counts["passed"]} passed, {counts["failed"]} failed, {counts["skipped"]} skipped; JUnit report: {junitPath}");
        return counts["status"] == "Succeeded" ? ExitCode.Success : ExitCode.VerificationFailed;
    }

    private DigestResult Masked(DigestResult r) =>
        r with { Message = context.Reporter.Secrets.Apply(r.Message), Problems = r.Problems.Select(context.Reporter.Secrets.Apply).ToList() };
}
