using System.Xml;
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

        WriteJUnit(junitPath, results, started, elapsed);
        if (baselinePath is not null)
        {
            Baseline.Write(baselinePath, context.Namespace, null, dcs.Values);
            context.Reporter.Event(Stage, "baseline", $"images of {dcs.Count} DeploymentConfigs recorded in {baselinePath}");
        }

        var failed = results.Count(r => r.Outcome == CheckOutcome.Failed);
        var passed = results.Count(r => r.Outcome == CheckOutcome.Passed);
        var skipped = results.Count(r => r.Outcome == CheckOutcome.Skipped);
        TektonResults.Write(resultsDir, new Dictionary<string, string>
        {
            ["passed"] = passed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["failed"] = failed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["skipped"] = skipped.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["status"] = failed == 0 ? "Succeeded" : "Failed",
        });
        context.Reporter.Event(Stage, "summary", $"{passed} passed, {failed} failed, {skipped} skipped; JUnit report: {junitPath}");
        return failed == 0 ? ExitCode.Success : ExitCode.VerificationFailed;
    }

    private void WriteJUnit(string path, IReadOnlyList<DigestResult> results, DateTimeOffset started, TimeSpan elapsed)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var document = JUnitWriter.Build("ciupgrade.verify", context.Namespace, results, started, elapsed, Environment.MachineName);
            using var writer = XmlWriter.Create(path, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
            document.Save(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the JUnit report to {path}: {e.Message} (check --junit)");
        }
    }
}
