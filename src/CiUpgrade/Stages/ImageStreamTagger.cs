using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Puts one stream's target tag (and `latest`, unless the build owns it) into the runbook's shape with a guarded
/// JSON patch, retrying when the stream changed under us, and waits for the target tag's import.
/// </summary>
public sealed class ImageStreamTagger(StageContext context, string stage)
{
    public Task<ImageStream> PatchAsync(ImageStreamStep step, string? image, bool dryRun, CancellationToken ct, bool includeLatest = true) =>
        new GuardedPatch(context, stage).ApplyAsync(step.Name,
            async () =>
            {
                var stream = await context.Client.GetImageStreamAsync(step.Name, ct)
                    ?? throw new UpgradeException(ExitCode.WrongClusterState, $"image stream {step.Name} not found in namespace {context.Namespace}");
                return (stream, ImageStreamTagPatch.For(stream, step, context.Plan.Target, image, includeLatest));
            },
            ops => context.Client.PatchImageStreamAsync(step.Name, ops, dryRun, ct),
            $"{step.Name}: tags {context.Plan.Target}{(includeLatest ? " and latest" : string.Empty)} already as planned",
            dryRun, new Dictionary<string, string> { ["imageStream"] = step.Name }, ct);

    /// <summary>
    /// Waits (watching the stream) until the target tag's import finished; a failed import stops the stage. At the
    /// timeout the stream is read once more and judged: what is reported is the cluster's state, never the watch's.
    /// </summary>
    public async Task<ImageStream> WaitForImportAsync(ImageStream stream, CancellationToken ct)
    {
        var tag = context.Plan.Target;
        var name = stream.Metadata.Name;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(context.Timeout);
        var watch = context.Client.ImageStreamWatch(name);
        try
        {
            var current = stream;
            if (context.RetryFailures && TagResolution.ImportFailure(current, tag) is { } earlier)
            {
                current = await ReimportAsync(current, earlier, timeout.Token);
            }

            if (Settled(current, tag))
            {
                return Checked(current, tag);
            }

            await foreach (var update in watch.ChangesAsync(current.Metadata.ResourceVersion ?? "0", timeout.Token))
            {
                if (Settled(update, tag))
                {
                    return Checked(update, tag);
                }
            }

            throw new OperationCanceledException(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var now = await context.Client.GetImageStreamAsync(name, ct)
                ?? throw new UpgradeException(ExitCode.WrongClusterState, $"image stream {name} disappeared from namespace {context.Namespace} while its import was awaited");
            if (Settled(now, tag))
            {
                return Checked(now, tag);
            }

            throw new UpgradeException(ExitCode.RolloutFailed,
                $"image stream {name}: tag {tag} was not imported within {DurationText.Format(context.Timeout)}{WatchNote(watch.LastFailure)}; check `oc describe is {name}` and the registry pull secret");
        }
    }

    /// <summary>
    /// The import failed before this wait began (an earlier run; the registry or pull secret may be fixed since): the
    /// spec is unchanged, so nothing would import again by itself (review D8). Ask for an import now and wait for its result.
    /// </summary>
    private async Task<ImageStream> ReimportAsync(ImageStream stream, TagEventCondition earlier, CancellationToken ct)
    {
        var name = stream.Metadata.Name;
        var tag = context.Plan.Target;
        context.Reporter.Event(stage, "reimport",
            $"{name}: the import of tag {tag} had failed ({earlier.Reason}); importing it again (tag generation 0, \"import now\"), as `oc import-image {name}:{tag}` would",
            new Dictionary<string, string> { ["imageStream"] = name });
        return await new GuardedPatch(context, stage).ApplyAsync(name,
            async () =>
            {
                var current = await context.Client.GetImageStreamAsync(name, ct)
                    ?? throw new UpgradeException(ExitCode.WrongClusterState, $"image stream {name} not found in namespace {context.Namespace}");
                return (current, ImportNowPatch.For(current, tag));
            },
            ops => context.Client.PatchImageStreamAsync(name, ops, false, ct),
            $"{name}: a new import of {tag} is already requested");
    }

    /// <summary>Says, after a timeout, that the watch was failing too (the verdict itself comes from a fresh read).</summary>
    internal static string WatchNote(string? lastFailure) => lastFailure is null ? string.Empty : $" (watching it was failing too: {lastFailure})";

    private static bool Settled(ImageStream stream, string tag) =>
        TagResolution.ImportSettled(stream, tag) || TagResolution.ImportFailure(stream, tag) is not null;

    private ImageStream Checked(ImageStream stream, string tag)
    {
        if (TagResolution.ImportFailure(stream, tag) is { } failure)
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"image stream {stream.Metadata.Name}: import of tag {tag} failed ({failure.Reason}): {failure.Message}. Fix access to the registry (pull secret), then "
                + (context.RetryFailures
                    ? $"rerun this stage: it imports the tag again (as `oc import-image {stream.Metadata.Name}:{tag}`)"
                    : $"run `oc import-image {stream.Metadata.Name}:{tag}` (or rerun this stage without --no-retry)"));
        }

        context.Reporter.Event(stage, "imported", $"{stream.Metadata.Name}: {tag} → {TagResolution.Resolve(stream, tag)}");
        return stream;
    }
}
