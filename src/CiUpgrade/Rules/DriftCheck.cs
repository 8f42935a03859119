using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The drift rules, each its own testcase, applied to the plan's DCs only: verify's rules split in two per DC
/// (`image &lt;dc&gt;`: what runs against what the plan's target resolves to now, so a DC left behind after a re-import
/// is drift; `rollout &lt;dc&gt;`: the latest deployment complete and available, skipped with a note for a DC scaled to
/// zero that the plan does not mark mustRun); every plan stream's target tag and
/// `latest` say what the plan says (the system stream's target tag: the image chosen with --system-image, as recorded
/// on it, <see cref="ChosenImage"/>); the release env var; and, with a baseline, no image differs from it. Each
/// failure message is one sentence saying what is wrong, prefixed with its testcase.
/// </summary>
public static class DriftCheck
{
    public static IReadOnlyList<DigestResult> Check(UpgradePlan plan, NamespaceState state, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? baseline)
    {
        var results = new List<DigestResult>();
        var judgements = VerifyRules.Judge(plan, state);
        foreach (var j in judgements)
        {
            var image = $"image {j.DeploymentConfig}";
            results.Add(j.Skipped is not null ? new DigestResult(image, CheckOutcome.Skipped, j.Skipped, [])
                : j.ImageProblems.Count == 0 ? new DigestResult(image, CheckOutcome.Passed, j.ImageSummary, []) { Notes = j.Notes }
                : new DigestResult(image, CheckOutcome.Failed, $"{image}: {DeploymentJudgement.OneLine(j.ImageProblems)}", j.ImageProblems) { Notes = j.Notes });
        }

        foreach (var step in InstallInspection.ApplicableStreams(plan, state.DeploymentConfigs.Keys.ToHashSet(StringComparer.Ordinal)))
        {
            var stream = state.Streams.GetValueOrDefault(step.Name);
            results.Add(Tags(step, plan.Target, ChosenImage.TargetImage(plan, step, ChosenImage.For(plan, state.Streams, null)), stream,
                buildOwnsLatest: step.Name == plan.Oracle.ImageStream && OracleImages.BuildOwnsLatest(stream)));
        }

        var release = ReleaseCheck.Check(plan, state);
        results.Add(release.Outcome == CheckOutcome.Failed ? release with { Message = $"{release.DeploymentConfig}: {release.Message}" } : release);
        if (plan.PreHook is { } hook && PreHookCheck.Check(plan, state.DeploymentConfigs.GetValueOrDefault(hook.DeploymentConfig)) is { } hookResult)
        {
            results.Add(hookResult);
        }

        foreach (var j in judgements.Where(j => j.Skipped is null && state.DeploymentConfigs.ContainsKey(j.DeploymentConfig)))
        {
            var rollout = $"rollout {j.DeploymentConfig}";
            results.Add(j.RolloutProblems.Count > 0 ? new DigestResult(rollout, CheckOutcome.Failed, $"{rollout}: {DeploymentJudgement.OneLine(j.RolloutProblems)}", j.RolloutProblems)
                : j.ScaledToZero is { } scaled ? new DigestResult(rollout, CheckOutcome.Skipped, $"{scaled} ({j.RolloutSummary})", [])
                : new DigestResult(rollout, CheckOutcome.Passed, j.RolloutSummary, []));
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

    private static DigestResult Tags(ImageStreamStep step, string target, string targetImage, ImageStream? stream, bool buildOwnsLatest)
    {
        var name = $"tags {step.Name}";
        if (stream is null)
        {
            return new DigestResult(name, CheckOutcome.Failed, $"image stream {step.Name}: was present, is missing", [$"expected image stream {step.Name}"]);
        }

        var problems = new List<string>();
        var tags = stream.Spec.Tags ?? [];
        var targetTag = tags.FirstOrDefault(t => t.Name == target);
        if (targetTag?.From?.Kind != "DockerImage" || targetTag.From.Name != targetImage)
        {
            problems.Add($"tag {target}: was DockerImage {targetImage}{(targetImage == step.Image ? string.Empty : " (the chosen system image)")}, is {Describe(targetTag)}");
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
