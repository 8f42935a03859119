using System.Text.Json.Nodes;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;
using k8s;

namespace CiUpgrade.Stages;

/// <summary>
/// Returns the namespace to a pre-upgrade backup (chosen and checked by <see cref="BackupLocator"/>, which refuses with
/// exit 2 before anything is sent), deciding from the cluster whether the target's data migration has run
/// (<see cref="MigrationReader"/>, <see cref="MigrationCheck"/>). Not run: an image-only rollback
/// (<see cref="ImageRollback"/>: hook, tags and release back, then the rollouts waited for); the data stays as it is.
/// Run: refused (exit 4, nothing changed) — source code on a migrated database is what Red Hat supports nowhere —
/// unless `--restore-data`, which restores the data sets from the backup's dumps in the documented order
/// (<see cref="DataRestore"/>), resumable through ConfigMap `ciupgrade-restore`. A data restore under way is finished
/// only with `--restore-data` and the same backup. Idempotent: a rerun after success sends nothing.
/// </summary>
public sealed class RollbackStage(StageContext context)
{
    private const string Stage = "rollback";

    /// <summary>What a data restore uses, checked before its first write (exit 3 naming what is missing).</summary>
    private static readonly (string Verb, string Group, string Resource, string? Name)[] RestorePermissions =
    [
        ("patch", "apps.openshift.io", "deploymentconfigs", null), ("create", "apps.openshift.io", "deploymentconfigs/instantiate", null),
        ("list", string.Empty, "pods", null), ("get", string.Empty, "pods", null), ("create", string.Empty, "pods", null), ("delete", string.Empty, "pods", null),
        ("create", string.Empty, "pods/exec", null), ("get", string.Empty, "pods/exec", null),
        ("get", string.Empty, "configmaps", null), ("create", string.Empty, "configmaps", null),
        ("update", string.Empty, "configmaps", RestoreProgress.ConfigMapName), ("update", string.Empty, "configmaps", RedisPersistence.ConfigMap),
    ];

    /// <param name="located">The backup <see cref="BackupLocator"/> chose and checked (before the lock was waited for).</param>
    public async Task<ExitCode> RunAsync((string Dir, BackupContent Content) located, bool keepTargetTag, bool noWait, bool restoreData, bool dryRun, CancellationToken ct)
    {
        var (chosen, backup) = located;
        if (await context.Client.BuildConfigExistsAsync(context.Plan.Oracle.BuildConfig, ct))
        {
            // Restoring tags would leave the built amp-system:latest (and the DCs on it) where it is: refuse, change nothing.
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"rollback does not restore an Oracle-backed system image (BuildConfig {context.Plan.Oracle.BuildConfig} pushes {context.Plan.Oracle.ImageStream}:latest): nothing was changed; tag the image recorded in {chosen} back onto {context.Plan.Oracle.ImageStream}:latest and point the BuildConfig at {context.Plan.Oracle.ImageStream}:{context.Plan.Source} by hand");
        }

        // The release and the plan's objects as preflight checks them; no rollout check: rollback exists to recover
        // from rollouts that failed or never finished.
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        await InstallChecks.RequireAsync(context, snapshot, null, ct);
        if (RollbackCoverage.Missing(context.Plan, snapshot.Streams.Keys, backup) is { } missing)
        {
            // A backup without a stream the namespace has would leave that stream (and its DCs) on the target: refuse
            // before the first change rather than end half rolled back.
            throw new UpgradeException(ExitCode.BadInput, $"the backup in {chosen} cannot return the whole install: {missing}; nothing was changed — pass a complete pre-upgrade backup");
        }

        // The patches show the hook command as it is, which may carry the token in any form: mask its value when readable.
        await PreHookToken.MaskIfReadableAsync(context, context.Plan.PreHook, ct);

        var progress = await new RestoreState(context).ReadAsync(ct);
        var underWay = progress is { Done: false } ? progress : null;
        if (underWay is not null && underWay.Backup != Path.GetFileName(chosen))
        {
            throw new UpgradeException(ExitCode.BadInput,
                $"a data restore of backup {underWay.Backup} (taken {underWay.BackupTime}) is under way in namespace {context.Namespace} (ConfigMap {RestoreProgress.ConfigMapName}; done: {string.Join(", ", underWay.Steps)}), not of {Path.GetFileName(chosen)}: finish it with --backup-dir {Path.Combine(Path.GetDirectoryName(chosen) ?? ".", underWay.Backup)} --restore-data; nothing was changed");
        }

        IReadOnlyList<BackedUpData> data = [];
        if (restoreData)
        {
            var storage = StorageArchive.MountIn(snapshot.DeploymentConfigs.GetValueOrDefault(StorageArchive.DeploymentConfig)?.Spec.Template?.Spec) is not null;
            data = await BackupDataCheck.RequireAsync(chosen, backup, DataRestorePlan.DataSets(snapshot.DeploymentConfigNames, storage), ct);
        }

        if (underWay is not null)
        {
            if (!restoreData)
            {
                throw new UpgradeException(ExitCode.WrongClusterState,
                    $"a data restore of backup {underWay.Backup} is under way in namespace {context.Namespace} (done: {(underWay.Steps.Count == 0 ? "nothing yet" : string.Join(", ", underWay.Steps))}): finish it with `ciupgrade rollback -n {context.Namespace} --backup-dir {chosen} --restore-data`; nothing was changed");
            }

            context.Reporter.Event(Stage, "kind", "data restore (resuming the one under way): the images and the data go back to the backup");
            return await RestoreAsync(chosen, backup, data, keepTargetTag, underWay, dryRun, ct);
        }

        var evidence = await new MigrationReader(context).FindAsync(backup, progress?.RestoredThrough ?? 0, ct);
        if (evidence is null)
        {
            context.Reporter.Event(Stage, "kind", $"image-only rollback: the {context.Plan.Target} migration has not run on the database{(progress is { Done: true } ? $" since the data restore of {progress.Backup}" : string.Empty)} (no deployment of {context.Plan.PreHook?.DeploymentConfig ?? "system-app"} ran the {context.Plan.Target} pre hook on the {context.Plan.Target} image), so the data stays as it is{(restoreData ? "; --restore-data is not needed and restores nothing" : string.Empty)}");
            var images = new ImageRollback(context, Stage);
            await images.ReturnAsync(backup, keepTargetTag, dryRun, ct);
            if (dryRun)
            {
                context.Reporter.Event(Stage, "dryRun", $"would then wait for the plan's DeploymentConfigs to run the images of the backup; nothing was sent");
                return ExitCode.Success;
            }

            if (!noWait)
            {
                await images.WaitAsync(backup, ct);
            }

            context.Reporter.Event(Stage, "done", $"namespace {context.Namespace} is back to the backup of {backup.Time} (release {backup.Release})");
            return ExitCode.Success;
        }

        if (!restoreData)
        {
            throw new UpgradeException(ExitCode.WrongClusterState, Refusal(chosen, backup, evidence, snapshot));
        }

        context.Reporter.Event(Stage, "kind", $"data restore: the {context.Plan.Target} migration has run ({evidence.Why}); the images and the data ({string.Join(", ", data.Select(d => d.Name))}) go back to the backup of {backup.Time}, and everything written since is lost");
        return await RestoreAsync(chosen, backup, data, keepTargetTag, progress, dryRun, ct);
    }

    private async Task<ExitCode> RestoreAsync(string chosen, BackupContent backup, IReadOnlyList<BackedUpData> data, bool keepTargetTag, RestoreProgress? progress, bool dryRun, CancellationToken ct)
    {
        if (!dryRun)
        {
            var allowed = await Task.WhenAll(RestorePermissions.Select(p => context.Client.CanIAsync(p.Verb, p.Group, p.Resource, ct, p.Name)));
            var denied = RestorePermissions.Where((_, i) => !allowed[i]).Select(p => $"{p.Verb} {p.Resource}{(p.Name is null ? string.Empty : "/" + p.Name)}").ToList();
            if (denied.Count > 0)
            {
                throw new UpgradeException(ExitCode.ClusterUnreachable,
                    $"missing permissions in namespace {context.Namespace} for the data restore: {string.Join(", ", denied)} — bind the Role in tekton/rbac to the service account; nothing was changed");
            }
        }

        return await new DataRestore(context, Stage).RunAsync(chosen, backup, data, keepTargetTag, progress, dryRun, ct);
    }

    /// <summary>Why an image-only rollback is refused, what the backup holds, and the command that returns the data too (or why this backup cannot).</summary>
    private string Refusal(string chosen, BackupContent backup, MigrationEvidence evidence, InstallSnapshot snapshot)
    {
        var plan = context.Plan;
        var start = $"the {plan.Target} migration has run on the system database ({evidence.Why}): rolling back the images alone would run {plan.Source} code on a migrated database, so nothing was changed.";
        var storage = StorageArchive.MountIn(snapshot.DeploymentConfigs.GetValueOrDefault(StorageArchive.DeploymentConfig)?.Spec.Template?.Spec) is not null;
        var needed = DataRestorePlan.DataSets(snapshot.DeploymentConfigNames, storage);
        var problems = DataRestorePlan.Problems(needed, backup);
        if (problems.Count > 0)
        {
            return $"{start} The backup of {backup.Time} in {chosen} cannot return the data ({string.Join("; ", problems)}): the install is left as the upgrade left it. Finish the upgrade (rerun the failed stage, or the pipeline), or restore the databases from your own dumps by hand (docs/backup-and-rollback.md) and then roll back the images with a backup that has them";
        }

        var files = string.Join(", ", needed.Select(n => backup.Data[n]).Select(d => $"{d.File} ({ExecDump.Size(d.Bytes)})"));
        return $"{start} To return the whole install, data included, run `ciupgrade rollback -n {context.Namespace} --backup-dir {chosen} --restore-data`: it restores {files} from the backup of {backup.Time}, and everything written since that backup is lost";
    }
}
