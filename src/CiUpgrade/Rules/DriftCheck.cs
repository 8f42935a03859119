using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>Everything one namespace must still satisfy after the upgrade, and what a drift check reports.</summary>
public sealed record NamespaceState(
    string Namespace,
    IReadOnlyDictionary<string, DeploymentConfig> DeploymentConfigs,
    IReadOnlyDictionary<string, ImageStream> Streams,
    string? Release);

/// <summary>
/// The drift rules, each its own testcase: verify's image checks; every plan stream's target tag and `latest` say
/// what the plan says; every DC runs exactly what its tag resolves to now (a DC left behind after a re-import);
/// the release env var; every DC rolled out and available; and, with a baseline, no image differs from it.
/// </summary>
public static class DriftCheck
{
    public static IReadOnlyList<DigestResult> Check(UpgradePlan plan, NamespaceState state, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? baseline)
    {
        var results = new List<DigestResult>();
        var overrides = OracleImages.RepositoryOverrides(plan.Oracle.ImageStream, state.Streams, state.DeploymentConfigs.Values);
        foreach (var check in plan.Verify)
        {
            var r = DigestCheck.Check(check, state.DeploymentConfigs.GetValueOrDefault(check.DeploymentConfig), state.Streams, overrides.GetValueOrDefault(check.DeploymentConfig));
            results.Add(r with { DeploymentConfig = $"image {check.DeploymentConfig}" });
        }

        foreach (var step in InstallInspection.ApplicableStreams(plan, state.DeploymentConfigs.Keys.ToHashSet(StringComparer.Ordinal)))
        {
            var stream = state.Streams.GetValueOrDefault(step.Name);
            results.Add(Tags(step, plan.Target, stream, buildOwnsLatest: step.Name == plan.Oracle.ImageStream && OracleImages.BuildOwnsLatest(stream)));
        }

        var release = state.Release == plan.Target
            ? new DigestResult($"release {plan.Release.Env}", CheckOutcome.Passed, $"{plan.Release.Env}={plan.Target}", [])
            : new DigestResult($"release {plan.Release.Env}", CheckOutcome.Failed, $"{plan.Release.Env}: was {plan.Target}, is {state.Release ?? "(unset)"}",
                [$"expected {plan.Release.Env}={plan.Target} on {plan.Release.DeploymentConfig}, actual {state.Release ?? "(unset)"}"]);
        results.Add(release);

        foreach (var dc in state.DeploymentConfigs.Values.OrderBy(d => d.Metadata.Name, StringComparer.Ordinal))
        {
            var verdict = RolloutState.EvaluateSettled(dc);
            var available = dc.Status.AvailableReplicas >= dc.Spec.Replicas;
            if (dc.Spec.Replicas == 0)
            {
                results.Add(new DigestResult($"rollout {dc.Metadata.Name}", CheckOutcome.Failed, $"rollout {dc.Metadata.Name}: was running, is scaled to zero",
                    [$"expected at least 1 replica of {dc.Metadata.Name}, actual 0"]));
                continue;
            }

            results.Add(verdict.Phase == RolloutPhase.Complete && available
                ? new DigestResult($"rollout {dc.Metadata.Name}", CheckOutcome.Passed, verdict.Message, [])
                : new DigestResult($"rollout {dc.Metadata.Name}", CheckOutcome.Failed,
                    $"rollout {dc.Metadata.Name}: was rolled out and available, is version {verdict.Version} with {dc.Status.AvailableReplicas}/{dc.Spec.Replicas} available ({verdict.Message})",
                    [$"expected version {verdict.Version} complete with {dc.Spec.Replicas} available, actual {dc.Status.AvailableReplicas} available, {verdict.Message}"]));
        }

        foreach (var (dcName, images) in baseline ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
        {
            var spec = state.DeploymentConfigs.GetValueOrDefault(dcName)?.Spec.Template?.Spec;
            var current = (spec?.InitContainers ?? []).Concat(spec?.Containers ?? []).ToDictionary(c => c.Name, c => c.Image, StringComparer.Ordinal);
            var changed = images.Where(kv => current.GetValueOrDefault(kv.Key) != kv.Value)
                .Select(kv => $"container {kv.Key}: was {kv.Value}, is {current.GetValueOrDefault(kv.Key) ?? "(missing)"}").ToList();
            results.Add(changed.Count == 0
                ? new DigestResult($"baseline {dcName}", CheckOutcome.Passed, "images as in the baseline", [])
                : new DigestResult($"baseline {dcName}", CheckOutcome.Failed, $"baseline {dcName}: {changed[0]}", changed));
        }

        return results;
    }

    private static DigestResult Tags(ImageStreamStep step, string target, ImageStream? stream, bool buildOwnsLatest)
    {
        var name = $"tags {step.Name}";
        if (stream is null)
        {
            return new DigestResult(name, CheckOutcome.Failed, $"image stream {step.Name}: was present, is missing", [$"expected image stream {step.Name}"]);
        }

        var problems = new List<string>();
        var tags = stream.Spec.Tags ?? [];
        var targetTag = tags.FirstOrDefault(t => t.Name == target);
        if (targetTag?.From?.Kind != "DockerImage" || targetTag.From.Name != step.Image)
        {
            problems.Add($"tag {target}: was DockerImage {step.Image}, is {Describe(targetTag)}");
        }

        var latest = tags.FirstOrDefault(t => t.Name == "latest");
        if (buildOwnsLatest)
        {
            // The Oracle build pushes `latest`; the image checks compare the DCs with what it pushed.
        }
        else if (latest?.From?.Kind != "ImageStreamTag" || latest.From.Name != target)
        {
            problems.Add($"tag latest: was ImageStreamTag {target}, is {Describe(latest)}");
        }

        return problems.Count == 0
            ? new DigestResult(name, CheckOutcome.Passed, buildOwnsLatest ? $"{target} as planned; latest is the Oracle build's" : $"{target} and latest as planned", [])
            : new DigestResult(name, CheckOutcome.Failed, $"image stream {step.Name}: {problems[0]}", problems);
    }

    private static string Describe(TagReference? tag) => tag?.From is { } from ? $"{from.Kind} {from.Name}" : "missing";
}
