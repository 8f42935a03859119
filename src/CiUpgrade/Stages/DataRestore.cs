using System.Globalization;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// `rollback --restore-data` after the target's migration ran: Red Hat's documented restore of a template install in
/// its order (../shared/docs/restore.md §2, §5; <see cref="DataRestorePlan"/>). Each step is recorded in ConfigMap
/// `ciupgrade-restore` (<see cref="RestoreProgress"/>) once done, and is itself safe to repeat, so a kill at any point
/// is resumed by a rerun: the writers' replicas are recorded before the first is scaled down; the hook, tags and
/// release go back to the backup (so nothing rolls the target out again) and their rollouts are waited for while the
/// writers are at 0; no writer pod may run when the databases are dropped and loaded; system-storage, zync-database,
/// backend-redis and system-redis follow; the writers come back to their replicas, backend-worker and system-app are
/// rolled out, and `zync:resync:domains` runs. `--dry-run` prints every step and the data it would load, sending nothing.
/// </summary>
public sealed class DataRestore(StageContext context, string stage)
{
    /// <param name="DryRun">What a dry run prints beyond the description (the patches it would send), reading only.</param>
    private sealed record Step(string Key, string Description, Func<RestoreProgress, CancellationToken, Task> Run, Func<CancellationToken, Task>? DryRun = null);

    public async Task<ExitCode> RunAsync(string dir, BackupContent backup, IReadOnlyList<BackedUpData> data, bool keepTargetTag, RestoreProgress? resumed, bool dryRun, CancellationToken ct)
    {
        var state = new RestoreState(context);
        await state.ReadAsync(ct); // the ConfigMap a resumed or an earlier restore left is replaced, not created again
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        var progress = resumed is { Done: false } ? resumed : new RestoreProgress { Backup = Path.GetFileName(dir), BackupTime = backup.Time, RunId = null };
        var rollouts = new RestoreRollouts(context, stage, state);
        var writers = DataRestorePlan.Writers.Where(snapshot.DeploymentConfigs.ContainsKey).ToList();
        var steps = new List<Step>
        {
            new("writers-down", $"record the replicas of {string.Join(", ", writers.Select(w => $"{w} ({Replicas(snapshot, progress, w)})"))} and scale them to 0",
                async (p, c) =>
                {
                    if (WriterScaling.Record(p, snapshot))
                    {
                        await state.SaveAsync(p, c);
                    }

                    await new WriterScaling(context, stage).DownAsync(p, c);
                }),
            new("images", $"return system-app's pre hook, the image stream tags and {context.Plan.Release.Env} to the backup of {backup.Time} (so nothing rolls {context.Plan.Target} out again) and wait for the plan's DeploymentConfigs, the writers at 0",
                async (_, c) =>
                {
                    var images = new ImageRollback(context, stage);
                    await images.ReturnAsync(backup, keepTargetTag, false, c);
                    await images.WaitAsync(backup, c);
                },
                c => new ImageRollback(context, stage).ReturnAsync(backup, keepTargetTag, true, c)),
        };

        // Before each data set: no writer pod may run (checked again on a rerun, which may come after a kill anywhere).
        Func<RestoreProgress, CancellationToken, Task> Stopped(Func<RestoreProgress, CancellationToken, Task> load) => async (p, c) =>
        {
            await new WriterScaling(context, stage).WaitStoppedAsync(writers, c);
            await load(p, c);
        };

        foreach (var set in data.Where(d => d.Name is not ("backend-redis" or "system-redis")))
        {
            var file = Path.Combine(dir, set.File!);
            steps.Add(set.Name == StorageArchive.Claim
                ? new(set.Name, $"empty {set.Path ?? "system-app's system-storage mount"} through pod {StorageRestorePod.Name} and extract {Describe(set)} into it",
                    Stopped((_, c) => new StorageRestore(context, stage).RunAsync(set, file, c)))
                : new(set.Name, $"drop and re-create the database of {set.Name} and load {Describe(set)} into it",
                    Stopped((_, c) => LoadDatabaseAsync(set, file, c))));
        }

        var redis = data.Where(d => d.Name is "backend-redis" or "system-redis").Select(d => (d, Path.Combine(dir, d.File!))).ToList();
        if (redis.Count > 0)
        {
            steps.Add(new("redis", $"turn persistence off in redis-config; for {string.Join(", then for ", redis.Select(r => $"{r.d.Name}: roll it out, copy {Describe(r.d)} into its data directory (the live files moved aside), roll it out again, BGREWRITEAOF"))}; put redis-config back and roll out {string.Join(" and ", redis.Select(r => r.d.Name))}",
                Stopped((p, c) => new RedisRestore(context, stage, state, rollouts).RunAsync(p, redis, c))));
        }

        steps.Add(new("writers-up", $"scale the writers back: {string.Join(", ", writers.Select(w => $"{w} {Replicas(snapshot, progress, w)}"))}",
            (p, c) => new WriterScaling(context, stage).UpAsync(p, c)));
        var rolled = DataRestorePlan.RolledOutAfter.Where(snapshot.DeploymentConfigs.ContainsKey).ToList();
        steps.Add(new("rollouts", $"roll out {string.Join(", then ", rolled)} (system-app's post hook rewrites its config into backend-redis) and wait for the plan's DeploymentConfigs",
            async (p, c) =>
            {
                foreach (var dc in rolled)
                {
                    await rollouts.RollOutAsync(p, "after-restore", [dc], c);
                }

                await new ImageRollback(context, stage).WaitAsync(backup, c);
            }));
        steps.Add(new("resync", $"run `bundle exec rake zync:resync:domains` in a {string.Join(" (else ", DataRestorePlan.ResyncIn)}) pod, as the documented restore does last",
            (_, c) => ResyncAsync(c)));

        if (dryRun)
        {
            var number = 0;
            foreach (var step in steps)
            {
                var done = resumed is { Done: false } && resumed.Has(step.Key);
                context.Reporter.Event(stage, "dryRun", $"step {++number}: {(done ? "done already: " : "would ")}{step.Description}");
                if (!done && step.DryRun is { } show)
                {
                    await show(ct);
                }
            }

            context.Reporter.Event(stage, "dryRun", "nothing was sent");
            return ExitCode.Success;
        }

        if (resumed is { Done: false })
        {
            context.Reporter.Event(stage, "resume", $"resuming the data restore of {progress.Backup}: done already: {(progress.Steps.Count == 0 ? "nothing" : string.Join(", ", progress.Steps))}");
        }
        else
        {
            await state.SaveAsync(progress, ct); // the first write: the lock is taken here
        }

        foreach (var step in steps)
        {
            if (progress.Has(step.Key))
            {
                continue;
            }

            context.Reporter.Event(stage, "step", step.Description);
            await step.Run(progress, ct);
            progress.Complete(step.Key);
            await state.SaveAsync(progress, ct);
        }

        var app = await context.Client.GetDeploymentConfigAsync(context.Plan.Release.DeploymentConfig, ct);
        progress.Done = true;
        progress.RestoredThrough = app?.Status?.LatestVersion ?? 0;
        await state.SaveAsync(progress, ct);
        context.Reporter.Event(stage, "done",
            $"namespace {context.Namespace} is back to the backup of {backup.Time} (release {backup.Release}), data included ({string.Join(", ", data.Select(d => d.Name))}); everything written after the backup is gone");
        return ExitCode.Success;
    }

    private static string Replicas(InstallSnapshot snapshot, RestoreProgress progress, string dc) =>
        (progress.Replicas.TryGetValue(dc, out var recorded) ? recorded : snapshot.DeploymentConfigs[dc].Spec.Replicas).ToString(CultureInfo.InvariantCulture);

    private static string Describe(BackedUpData data) => $"{data.File} ({ExecDump.Size(data.Bytes)}, sha256 {data.Sha256})";

    private async Task LoadDatabaseAsync(BackedUpData dump, string file, CancellationToken ct)
    {
        var dc = dump.Name;
        var latest = (await context.Client.GetDeploymentConfigAsync(dc, ct))?.Status?.LatestVersion;
        var pod = ExecDump.Pick(await context.Client.ListPodsAsync($"deploymentconfig={dc}", ct), dc, latest)
            ?? throw new UpgradeException(ExitCode.RolloutFailed, $"{dc}: no running and ready pod to load the dump into; check it (oc get pods -l deploymentconfig={dc}) and rerun rollback --restore-data");
        await new DataLoader(context, stage).LoadAsync(dc, file, dump.Bytes, pod.Metadata.Name, pod.Spec.Containers[0].Name,
            DataLoad.ForDatabase(dc, dump.Bytes) ?? throw new InvalidOperationException($"no load command for {dc}"), ct);
    }

    private async Task ResyncAsync(CancellationToken ct)
    {
        foreach (var dc in DataRestorePlan.ResyncIn)
        {
            var latest = (await context.Client.GetDeploymentConfigAsync(dc, ct))?.Status?.LatestVersion;
            if (ExecDump.Pick(await context.Client.ListPodsAsync($"deploymentconfig={dc}", ct), dc, latest) is { } pod)
            {
                var output = await new DataLoader(context, stage).RunAsync("zync:resync:domains", pod.Metadata.Name, pod.Spec.Containers[0].Name, DataRestorePlan.Resync, ct);
                var last = output.Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim();
                context.Reporter.Event(stage, "resync", $"ran `bundle exec rake zync:resync:domains` in pod {pod.Metadata.Name}{(last is null ? string.Empty : ": " + last)}: zync recreates the routes of every provider and proxy");
                return;
            }
        }

        context.Reporter.Event(stage, "resync", $"`bundle exec rake zync:resync:domains` NOT run: no running {string.Join(" or ", DataRestorePlan.ResyncIn)} pod; run it by hand: oc exec -n {context.Namespace} dc/system-sidekiq -- bash -c 'bundle exec rake zync:resync:domains'");
    }
}
