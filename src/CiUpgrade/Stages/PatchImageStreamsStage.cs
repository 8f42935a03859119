using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Runbook steps 1-7: for each image stream in the plan's order, make the target tag and `latest` read as the
/// runbook's patches leave them, wait for the new tag's import, then for the rollouts it triggers, before the
/// next stream. Safe to rerun: a stream that already reads right gets no patch, a DC already on the new image no wait.
/// </summary>
public sealed class PatchImageStreamsStage(StageContext context)
{
    private const string Stage = "patch-imagestreams";

    public async Task<ExitCode> RunAsync(bool noWait, bool dryRun, string? systemImage, CancellationToken ct)
    {
        var plan = context.Plan;
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        if (snapshot.Release != plan.Source && snapshot.Release != plan.Target)
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"{plan.Release.DeploymentConfig} reports {plan.Release.Env}={snapshot.Release ?? "(unset)"}, not {plan.Source}: this plan does not apply (run preflight)");
        }

        if (snapshot.Oracle && systemImage is null)
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"Oracle-backed install: follow the runbook's \"Upgrading 3scale with Oracle Database\" procedure and pass the system image you built with --system-image");
        }

        foreach (var step in InstallInspection.ApplicableStreams(plan, snapshot.DeploymentConfigNames))
        {
            var image = step.Name == plan.Oracle.ImageStream ? systemImage : null;
            var stream = await PatchAsync(step, image, dryRun, ct);
            if (noWait || dryRun)
            {
                continue;
            }

            stream = await WaitForImportAsync(stream, ct);
            var streams = new Dictionary<string, ImageStream>(snapshot.Streams, StringComparer.Ordinal) { [step.Name] = stream };
            var triggered = InstallInspection.Triggered(snapshot.DeploymentConfigs.Values, step.Name);
            var expectations = triggered.ToDictionary(
                dc => dc,
                dc => RolloutExpectation.Images(TriggeredImages.Expected(snapshot.DeploymentConfigs[dc], streams)),
                StringComparer.Ordinal);
            if (expectations.Count > 0)
            {
                context.Reporter.Event(Stage, "wait", $"{step.Name}: waiting for {string.Join(", ", expectations.Keys)} to roll out");
            }

            await new RolloutWaiter(context, Stage).WaitAsync(expectations, ct);
        }

        context.Reporter.Event(Stage, "done", dryRun ? "dry run: nothing was changed" : $"every image stream of the plan has its {plan.Target} and latest tags");
        return ExitCode.Success;
    }

    private async Task<ImageStream> PatchAsync(ImageStreamStep step, string? image, bool dryRun, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stream = await context.Client.GetImageStreamAsync(step.Name, ct)
                ?? throw new UpgradeException(ExitCode.WrongClusterState, $"image stream {step.Name} not found in namespace {context.Namespace}");
            var ops = ImageStreamTagPatch.For(stream, step, context.Plan.Target, image);
            if (ops.Count == 0)
            {
                context.Reporter.Event(Stage, "unchanged", $"{step.Name}: tags {context.Plan.Target} and latest already as planned");
                return stream;
            }

            try
            {
                var patched = await context.Client.PatchImageStreamAsync(step.Name, ops, dryRun, ct);
                context.Reporter.Event(Stage, dryRun ? "dryRun" : "patched", $"{step.Name}: {(dryRun ? "would send" : "sent")} JSON patch {ops.ToJsonString()}",
                    new Dictionary<string, string> { ["imageStream"] = step.Name, ["patch"] = ops.ToJsonString() });
                return patched;
            }
            catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity && attempt < 5)
            {
                // Someone changed the stream since we read it (our `test` guard failed): read again and recompute.
                context.Reporter.Event(Stage, "retry", $"{step.Name}: the stream changed while patching ({e.StatusCode}); reading it again");
            }
        }
    }

    /// <summary>Waits (watching the stream) until the target tag's import finished; a failed import stops the stage.</summary>
    private async Task<ImageStream> WaitForImportAsync(ImageStream stream, CancellationToken ct)
    {
        var tag = context.Plan.Target;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(context.Timeout);
        try
        {
            var current = stream;
            if (Settled(current, tag))
            {
                return Checked(current, tag);
            }

            await foreach (var update in context.Client.WatchImageStreamAsync(stream.Metadata.Name, stream.Metadata.ResourceVersion ?? "0", timeout.Token))
            {
                if (Settled(update, tag))
                {
                    return Checked(update, tag);
                }
            }

            throw new OperationCanceledException();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new UpgradeException(ExitCode.RolloutFailed,
                $"image stream {stream.Metadata.Name}: tag {tag} was not imported within {context.Timeout}; check `oc describe is {stream.Metadata.Name}` and the registry pull secret");
        }
    }

    private static bool Settled(ImageStream stream, string tag) =>
        TagResolution.ImportSettled(stream, tag) || TagResolution.ImportFailure(stream, tag) is not null;

    private ImageStream Checked(ImageStream stream, string tag)
    {
        if (TagResolution.ImportFailure(stream, tag) is { } failure)
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"image stream {stream.Metadata.Name}: import of tag {tag} failed ({failure.Reason}): {failure.Message}. Fix access to the registry (pull secret), then rerun this stage");
        }

        context.Reporter.Event(Stage, "imported", $"{stream.Metadata.Name}: {tag} → {TagResolution.Resolve(stream, tag)}");
        return stream;
    }
}
