using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Runbook step 9, the CI gate: one LIST of DCs and one of image streams, a digest check per DC of the plan,
/// a JUnit report and Tekton results. Exit 1 when any check fails.
/// </summary>
public sealed class VerifyStage(StageContext context)
{
    private const string Stage = "verify";

    public async Task<ExitCode> RunAsync(string junitPath, string? resultsDir, string? baselinePath, CancellationToken ct)
    {
        var started = context.Time.GetUtcNow();
        var dcs = (await context.Client.ListDeploymentConfigsAsync(ct)).Items.ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
        var streams = (await context.Client.ListImageStreamsAsync(ct)).Items.ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
        // An Oracle-backed system runs the image its build pushed to the internal registry, not the plan's repository.
        var overrides = OracleImages.RepositoryOverrides(context.Plan.Oracle.ImageStream, streams, dcs.Values);
        var results = context.Plan.Verify.Select(check => DigestCheck.Check(check, dcs.GetValueOrDefault(check.DeploymentConfig), streams,
            overrides.GetValueOrDefault(check.DeploymentConfig))).ToList();
        var elapsed = context.Time.GetUtcNow() - started;
        foreach (var r in results)
        {
            context.Reporter.Event(Stage, r.Outcome.ToString().ToLowerInvariant(), $"{r.DeploymentConfig}: {r.Outcome.ToString().ToUpperInvariant()} {r.Message}",
                new Dictionary<string, string> { ["deploymentConfig"] = r.DeploymentConfig, ["outcome"] = r.Outcome.ToString() });
        }

        JUnitWriter.Save(junitPath, JUnitWriter.Build("ciupgrade.verify", context.Namespace, results, started, elapsed, Environment.MachineName));
        if (baselinePath is not null)
        {
            Baseline.Write(baselinePath, context.Namespace, null, dcs.Values);
            context.Reporter.Event(Stage, "baseline", $"images of {dcs.Count} DeploymentConfigs recorded in {baselinePath}");
        }

        var counts = TektonResults.Counts(results);
        TektonResults.Write(resultsDir, counts);
        context.Reporter.Event(Stage, "summary", $"{counts["passed"]} passed, {counts["failed"]} failed, {counts["skipped"]} skipped; JUnit report: {junitPath}");
        return counts["status"] == "Succeeded" ? ExitCode.Success : ExitCode.VerificationFailed;
    }
}
