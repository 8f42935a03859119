using System.Globalization;
using System.Net;
using CiUpgrade.Cluster;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The runbook's Oracle path for amp-system (3scale 2.7 guide, "Upgrading 3scale with Oracle Database"): add the
/// target tag without moving `latest` (the build owns it), point the BuildConfig's base at amp-system:&lt;target&gt;,
/// run the binary build with the Oracle client files (`oc start-build --from-dir`), follow it, then wait for the
/// DCs its new image rolls out. Resumable: a build already running on the target base is followed, a completed
/// one whose image `latest` still holds is not rebuilt (unless forced).
/// </summary>
public sealed class OracleSystemBuild(StageContext context, string stage)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);

    /// <summary>Read-only: what the build step would do now, or the problem that stops it (nothing is changed either way).</summary>
    public async Task<(OracleBuildAction Action, Build? Build, UpgradeException? Problem)> AssessAsync(string? clientDir, bool force, CancellationToken ct)
    {
        var plan = context.Plan;
        var config = await context.Client.GetBuildConfigAsync(plan.Oracle.BuildConfig, ct);
        if (config is null)
        {
            return (OracleBuildAction.Start, null, new UpgradeException(ExitCode.WrongClusterState,
                $"BuildConfig {plan.Oracle.BuildConfig} not found in namespace {context.Namespace}: the system image is not built in this cluster, so there is no Oracle build to run (check -n/--namespace)"));
        }

        if (config.Spec.Strategy?.Type != "Docker" || config.Spec.Source?.Type != "Binary")
        {
            return (OracleBuildAction.Start, null, new UpgradeException(ExitCode.WrongClusterState,
                $"BuildConfig {plan.Oracle.BuildConfig} is a {config.Spec.Strategy?.Type ?? "?"} build from {config.Spec.Source?.Type ?? "?"} source, not the binary Docker build of the 3scale system-oracle template (build.yml): fix it or follow the runbook's Oracle procedure by hand"));
        }

        var stream = await context.Client.GetImageStreamAsync(plan.Oracle.ImageStream, ct);
        var step = plan.ImageStreams.First(s => s.Name == plan.Oracle.ImageStream);
        var targetTag = stream?.Spec.Tags?.FirstOrDefault(t => t.Name == plan.Target);
        // Only a target tag that already reads as planned tells which base the build will use.
        var targetBase = stream is not null && targetTag is not null && ImageStreamTagPatch.Matches(targetTag, ImageStreamTagPatch.DesiredTags(step, plan.Target, null)[0])
            ? TagResolution.Resolve(stream, plan.Target)
            : null;
        var latest = stream is null ? null : TagResolution.Resolve(stream, "latest");
        var builds = await context.Client.ListBuildsAsync(plan.Oracle.BuildConfig, ct);
        var (action, build) = OracleBuildDecision.Decide(builds, targetBase, latest, force);
        return (action, build, action == OracleBuildAction.Start ? ClientDirProblem(clientDir) : null);
    }

    /// <summary>Why the directory cannot be uploaded as the system-oracle build context, or null when it can.</summary>
    public static UpgradeException? ClientDirProblem(string? clientDir)
    {
        if (clientDir is null)
        {
            return new UpgradeException(ExitCode.WrongClusterState,
                "this Oracle-backed install's amp-system image must be rebuilt with the Oracle client: pass --oracle-client-dir with the system-oracle build context (its Dockerfile, and oracle-client-files/ holding the Instant Client basic or basiclite, sdk and odbc packages), or --system-image with an image you built");
        }

        if (!Directory.Exists(clientDir))
        {
            return new UpgradeException(ExitCode.BadInput, $"--oracle-client-dir {clientDir} is not a directory: pass the system-oracle build context with the Instant Client packages");
        }

        var missing = OracleClientPackages.Missing(DirectoryArchiveContent.Files(clientDir));
        return missing.Count == 0 ? null : new UpgradeException(ExitCode.BadInput,
            $"--oracle-client-dir {clientDir} lacks {string.Join("; ", missing)}: download the Oracle Instant Client 12.2 packages and lay them out as the 3scale system-oracle README says; nothing was changed");
    }

    /// <summary>Throws the problem that would stop the build step; stages call it before they change anything.</summary>
    public async Task RequireReadyAsync(string? clientDir, bool force, CancellationToken ct)
    {
        if ((await AssessAsync(clientDir, force, ct)).Problem is { } problem)
        {
            throw problem;
        }
    }

    /// <summary>The build step; the caller has run <see cref="RequireReadyAsync"/> before changing anything.</summary>
    public async Task RunAsync(string? clientDir, bool force, bool noWait, bool dryRun, CancellationToken ct)
    {
        var plan = context.Plan;
        var tagger = new ImageStreamTagger(context, stage);
        var step = plan.ImageStreams.First(s => s.Name == plan.Oracle.ImageStream);
        var stream = await tagger.PatchAsync(step, null, dryRun, ct, includeLatest: false);
        await PatchBaseAsync(dryRun, ct);
        if (dryRun)
        {
            context.Reporter.Event(stage, "dryRun", $"{plan.Oracle.BuildConfig}: would start a binary build from {clientDir ?? "(no --oracle-client-dir)"}");
            return;
        }

        await tagger.WaitForImportAsync(stream, ct);
        await BuildAsync(clientDir, force, ct);
        if (!noWait)
        {
            await WaitForRolloutsAsync(ct);
        }
    }

    /// <summary>
    /// Decides, then starts, follows or skips the build. A build an earlier run started that ends Cancelled (its upload
    /// broke off when that run was killed) is not this run's failure: the decision is taken again
    /// (<see cref="OracleBuildDecision.DecideAgain"/>), and a fresh build starts. One this run started that ends
    /// Cancelled, or any that fails, stops the stage.
    /// </summary>
    private async Task BuildAsync(string? clientDir, bool force, CancellationToken ct)
    {
        var plan = context.Plan;
        for (var orphans = 0; ; orphans++)
        {
            var (action, build, problem) = await AssessAsync(clientDir, force, ct);
            if (problem is not null)
            {
                throw problem;
            }

            switch (action)
            {
                case OracleBuildAction.Done:
                    context.Reporter.Event(stage, "unchanged", $"{plan.Oracle.BuildConfig}: build {build!.Metadata.Name} already made {plan.Oracle.ImageStream}:latest on the {plan.Target} base (--force rebuilds)");
                    return;
                case OracleBuildAction.Follow:
                    context.Reporter.Event(stage, "build", $"{plan.Oracle.BuildConfig}: build {build!.Metadata.Name} is already {build.Status.Phase}; following it");
                    var followed = await FollowAsync(build, ct);
                    if (OracleBuildDecision.DecideAgain(followed, startedByThisRun: false) && orphans < MaxOrphansCancelled)
                    {
                        context.Reporter.Event(stage, "build",
                            $"build {followed.Metadata.Name}, started by an earlier run, was cancelled ({followed.Status.Reason ?? "no reason"}: its upload did not complete): deciding again",
                            new Dictionary<string, string> { ["build"] = followed.Metadata.Name });
                        continue;
                    }

                    Require(followed);
                    return;
                default:
                    Require(await FollowAsync(await StartAsync(clientDir!, ct), ct));
                    return;
            }
        }
    }

    /// <summary>How many builds of earlier runs may end Cancelled under one run before it gives up (someone keeps cancelling them).</summary>
    private const int MaxOrphansCancelled = 3;

    private static void Require(Build build)
    {
        if (build.Status.Phase != "Complete")
        {
            throw BuildFailed(build);
        }
    }

    private Task<BuildConfig> PatchBaseAsync(bool dryRun, CancellationToken ct)
    {
        var plan = context.Plan;
        return new GuardedPatch(context, stage).ApplyAsync(plan.Oracle.BuildConfig,
            async () =>
            {
                var config = await context.Client.GetBuildConfigAsync(plan.Oracle.BuildConfig, ct)
                    ?? throw new UpgradeException(ExitCode.WrongClusterState, $"BuildConfig {plan.Oracle.BuildConfig} disappeared from namespace {context.Namespace}");
                return (config, BuildBasePatch.For(config, plan.Oracle.ImageStream, plan.Target));
            },
            ops => context.Client.PatchBuildConfigAsync(plan.Oracle.BuildConfig, ops, dryRun, ct),
            $"{plan.Oracle.BuildConfig}: base already {plan.Oracle.ImageStream}:{plan.Target}",
            dryRun, new Dictionary<string, string> { ["buildConfig"] = plan.Oracle.BuildConfig }, ct);
    }

    private async Task<Build> StartAsync(string clientDir, CancellationToken ct)
    {
        var files = DirectoryArchiveContent.Files(clientDir);
        context.Reporter.Event(stage, "upload", $"{context.Plan.Oracle.BuildConfig}: starting a binary build with {files.Count} files from {clientDir}");
        using var archive = new DirectoryArchiveContent(clientDir);
        try
        {
            var build = await context.Client.InstantiateBinaryAsync(context.Plan.Oracle.BuildConfig, archive, ct);
            context.Reporter.Event(stage, "build", $"build {build.Metadata.Name} started ({build.Status.Phase}) on base {build.Spec.Strategy?.DockerStrategy?.From?.Name}",
                new Dictionary<string, string> { ["build"] = build.Metadata.Name });
            return build;
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            // The server answers 400 when the build ended before it could take the upload (binaryInstantiateHandler).
            throw new UpgradeException(ExitCode.RolloutFailed, $"the Oracle system build did not start: {e.Message}; see `oc get builds -l {Build.BuildConfigLabel}={context.Plan.Oracle.BuildConfig}`", e);
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.RequestEntityTooLarge)
        {
            throw UploadRefusal.TooLarge(clientDir, files.Count, DirectoryArchiveContent.ContentBytes(clientDir), archive.Sent, e.Message);
        }
        catch (UpgradeException e) when (e.ExitCode == ExitCode.ClusterUnreachable && archive.Sent > 0 && !ct.IsCancellationRequested)
        {
            // The connection broke (or a 5xx came back) once the archive was on its way: the upload is what failed,
            // unless the server is gone altogether.
            throw UploadRefusal.BrokeOff(clientDir, files.Count, DirectoryArchiveContent.ContentBytes(clientDir), archive.Sent,
                Cause(e), await ServerAnswersAsync(ct), e);
        }
    }

    /// <summary>Whether the API server answers a read now (an outage is waited out for --api-retry-budget, as for every read).</summary>
    private async Task<bool> ServerAnswersAsync(CancellationToken ct)
    {
        try
        {
            return await context.Client.GetBuildConfigAsync(context.Plan.Oracle.BuildConfig, ct) is not null;
        }
        catch (UpgradeException)
        {
            return false;
        }
    }

    /// <summary>Why the upload failed: the server's answer when one came, else the innermost (socket's) reason.</summary>
    private static string Cause(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null)
        {
            if (inner.InnerException is k8s.Autorest.HttpOperationException)
            {
                return e.Message;
            }

            inner = inner.InnerException;
        }

        return inner.Message.TrimEnd('.');
    }

    /// <summary>
    /// Watches the build to its end (Complete, Failed, Error or Cancelled: returned, the caller judges it), with a
    /// progress line on each phase change and every few seconds.
    /// </summary>
    private async Task<Build> FollowAsync(Build build, CancellationToken ct)
    {
        var started = context.Time.GetUtcNow();
        var name = build.Metadata.Name;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(context.Timeout);
        var lastPhase = string.Empty;
        var lastLine = DateTimeOffset.MinValue;
        var watch = context.Client.BuildWatch(name);
        var current = build;
        try
        {
            await using var updates = watch.ChangesAsync(build.Metadata.ResourceVersion ?? "0", timeout.Token).GetAsyncEnumerator(timeout.Token);
            while (true)
            {
                var phase = current.Status.Phase ?? "New";
                var now = context.Time.GetUtcNow();
                if (phase != lastPhase || now - lastLine >= ProgressInterval)
                {
                    context.Reporter.Event(stage, "progress", $"build {name}: {phase} ({DurationText.Format(now - started)})",
                        new Dictionary<string, string> { ["build"] = name, ["phase"] = phase });
                    (lastPhase, lastLine) = (phase, now);
                }

                if (phase is "Complete" or "Failed" or "Error" or "Cancelled")
                {
                    return current;
                }

                if (!await updates.MoveNextAsync())
                {
                    throw new OperationCanceledException(timeout.Token);
                }

                current = updates.Current;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Judge the build as it is now, not as the (possibly failing) watch last showed it.
            var now = (await context.Client.ListBuildsAsync(context.Plan.Oracle.BuildConfig, ct)).FirstOrDefault(b => b.Metadata.Name == name) ?? current;
            var phase = now.Status.Phase ?? "New";
            if (phase is "Complete" or "Failed" or "Error" or "Cancelled")
            {
                context.Reporter.Event(stage, "progress", $"build {name}: {phase}", new Dictionary<string, string> { ["build"] = name, ["phase"] = phase });
                return now;
            }

            throw new UpgradeException(ExitCode.RolloutFailed,
                $"build {name} did not finish within {DurationText.Format(context.Timeout)} (phase {phase}){ImageStreamTagger.WatchNote(watch.LastFailure)}; rerun to keep following it, or raise --timeout");
        }
    }

    private static UpgradeException BuildFailed(Build build) => new(ExitCode.RolloutFailed,
        $"build {build.Metadata.Name} {build.Status.Phase}{(build.Status.Reason is { } reason ? $" ({reason})" : string.Empty)}: {build.Status.Message ?? "no message"}; read `oc logs build/{build.Metadata.Name}`, fix the cause and rerun this stage");

    private async Task WaitForRolloutsAsync(CancellationToken ct)
    {
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        var triggered = InstallInspection.Triggered(snapshot.DeploymentConfigs.Values, context.Plan.Oracle.ImageStream);
        var expectations = triggered.ToDictionary(
            dc => dc,
            dc => RolloutExpectation.Images(TriggeredImages.Expected(snapshot.DeploymentConfigs[dc], snapshot.Streams)),
            StringComparer.Ordinal);
        if (expectations.Count > 0)
        {
            context.Reporter.Event(stage, "wait", $"{context.Plan.Oracle.ImageStream}: waiting for {string.Join(", ", expectations.Keys)} to roll out the new system image");
        }

        await new RolloutWaiter(context, stage).WaitAsync(expectations, ct);
    }
}
