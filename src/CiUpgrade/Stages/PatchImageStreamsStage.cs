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
/// next stream. An Oracle-backed amp-system is rebuilt instead (<see cref="OracleSystemBuild"/>). Safe to rerun: a stream that already reads right gets no patch, a DC already on the new image no wait.
/// </summary>
public sealed class PatchImageStreamsStage(StageContext context)
{
    private const string Stage = "patch-imagestreams";

    public async Task<ExitCode> RunAsync(bool noWait, bool dryRun, string? systemImage, bool forceOracle, string? oracleClientDir, CancellationToken ct)
    {
        var plan = context.Plan;
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        // What preflight checks, again: Tekton may run this stage alone. DCs set rolling by an earlier run of this stage are resumed, not refused.
        await InstallChecks.RequireAsync(context, snapshot, InstallChecks.RollingByUs(snapshot, plan), ct);

        // An Oracle-backed system image is rebuilt in the cluster, unless the user brings one (--system-image).
        var oracleBuild = (snapshot.Oracle || forceOracle) && systemImage is null ? new OracleSystemBuild(context, Stage) : null;
        if (oracleBuild is not null)
        {
            await oracleBuild.RequireReadyAsync(oracleClientDir, false, ct);
        }

        var tagger = new ImageStreamTagger(context, Stage);
        foreach (var step in InstallInspection.ApplicableStreams(plan, snapshot.DeploymentConfigNames))
        {
            await RequireTargetHookAsync(step, snapshot, systemImage, oracleBuild is not null, dryRun, ct);
            if (oracleBuild is not null && step.Name == plan.Oracle.ImageStream)
            {
                await oracleBuild.RunAsync(oracleClientDir, false, noWait, dryRun, ct);
                continue;
            }

            var image = step.Name == plan.Oracle.ImageStream ? systemImage : null;
            var stream = await tagger.PatchAsync(step, image, dryRun, ct);
            if (noWait || dryRun)
            {
                continue;
            }

            stream = await tagger.WaitForImportAsync(stream, ct);
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

    /// <summary>
    /// The stream whose rollout runs the pre hook (amp-system → system-app) must not start while the hook is not the
    /// target's: that rollout is the one that must run the migration, on the new image. (The other order fails too:
    /// the target's tasks do not exist on the source image, and with failurePolicy Retry the hook retries until the
    /// rollout times out.) Checked only when the stream still needs its patch or an Oracle rebuild.
    /// </summary>
    private async Task RequireTargetHookAsync(ImageStreamStep step, InstallSnapshot snapshot, string? systemImage, bool rebuild, bool dryRun, CancellationToken ct)
    {
        var plan = context.Plan;
        if (plan.PreHook is not { } hook || !step.Triggers.Contains(hook.DeploymentConfig)
            || !snapshot.DeploymentConfigs.TryGetValue(hook.DeploymentConfig, out var dc)
            || (!rebuild && snapshot.Streams.TryGetValue(step.Name, out var stream)
                && ImageStreamTagPatch.For(stream, step, plan.Target, step.Name == plan.Oracle.ImageStream ? systemImage : null).Count == 0))
        {
            return;
        }

        var token = await PreHookToken.ReadAsync(context, hook, ct);
        if (PreHookCommand.Current(dc) is not { } current || !current.SequenceEqual(PreHookCommand.Render(hook.Target, hook, token), StringComparer.Ordinal))
        {
            var why = $"{step.Name} rolls {hook.DeploymentConfig} out, and that rollout must run the {plan.Target} migration on the {plan.Target} image";
            if (dryRun)
            {
                // A dry run shows the patches as they will be once the stages before ran; it says what the real run needs.
                context.Reporter.Event(Stage, "warning", $"{hook.DeploymentConfig}'s pre hook is not the {plan.Target} command yet: the real run refuses {step.Name} until `ciupgrade update-prehook` has run ({why})");
                return;
            }

            throw new UpgradeException(ExitCode.WrongClusterState,
                $"{hook.DeploymentConfig}'s pre hook is not the {plan.Target} command yet: run `ciupgrade update-prehook` first, nothing was changed ({why})");
        }
    }
}

