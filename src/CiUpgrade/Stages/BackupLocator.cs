using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Plans;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Finds the backup rollback restores and proves it usable before anything is sent. `--backup-dir` is either
/// one backup (a directory holding manifest.json, e.g. `backups/3scale/20261125T193551Z`) or the directory the
/// backup stage was given, where the newest pre-upgrade backup of the namespace is taken: newer backups that are
/// not pre-upgrade (a rerun in the middle of the upgrade) are passed over, each named. The chosen backup must
/// validate (<see cref="BackupValidation"/>), match the sha256 its manifest recorded, be of this namespace and
/// show the pre-upgrade state in its own files (the hook included: review N1); its manifest must list every file
/// with a sha256 (a backup whose files cannot be checked is refused); otherwise exit 2 and nothing is changed. With a run id (Tekton's
/// finally rollback passes its PipelineRun's uid) only a backup whose manifest names that run is taken: on a
/// persistent backup volume, another run's backup would undo more than this run did.
/// </summary>
public sealed class BackupLocator(Reporter reporter, string stage)
{
    public (string Dir, BackupContent Content) Locate(string backupDir, string ns, UpgradePlan plan, string? runId = null)
    {
        var dir = File.Exists(Path.Combine(backupDir, BackupValidation.ManifestFile)) ? backupDir : Newest(backupDir, ns, runId);
        if (runId is not null && RunIdOf(TryParse(Path.Combine(dir, BackupValidation.ManifestFile))) is var taker && taker != runId)
        {
            throw Refuse($"{dir} holds the backup of {(taker is null ? "a run without a run id" : "run " + taker)}, not of run {runId}: this run took no backup there, so there is nothing of its own to undo; nothing was changed");
        }

        var content = Load(dir);
        if (content.Namespace != ns)
        {
            throw Refuse($"{dir} holds a backup of namespace {content.Namespace}, not {ns}: pass the backup of this namespace");
        }

        // Judged again from the saved streams: a backup of format 1 has no mark, and a mark can be edited.
        var savedHook = plan.PreHook is { } hook && content.DeploymentConfigs.GetValueOrDefault(hook.DeploymentConfig) is { } savedDc ? PreHookCommand.Saved(savedDc) : null;
        var why = PreUpgradeCheck.WhyNot(plan, content.Tags, content.Release, content.Oracle, savedHook)
            ?? (content.PreUpgrade == false ? "its manifest marks it as taken during the upgrade" : null);
        if (why is not null)
        {
            throw Refuse($"{dir} is not a pre-upgrade backup ({why}): restoring it would keep the half-upgraded state; pass a backup taken before the upgrade (nothing was changed)");
        }

        reporter.Event(stage, "backup", $"restoring {dir} (taken {content.Time ?? "at an unknown time"}, release {content.Release})");
        return (dir, content);
    }

    private string Newest(string backupDir, string ns, string? runId)
    {
        var namespaceDir = BackupWriter.NamespaceDir(backupDir, ns);
        var names = Directory.Exists(namespaceDir)
            ? BackupNames.NewestFirst(Directory.EnumerateDirectories(namespaceDir).Select(Path.GetFileName).OfType<string>()
                .Where(n => File.Exists(Path.Combine(namespaceDir, n, BackupValidation.ManifestFile))))
            : [];
        if (names.Count == 0)
        {
            throw Refuse($"no backup of namespace {ns} under {backupDir} (run the backup stage first, or pass one backup's directory with --backup-dir)");
        }

        var passedOver = new List<string>();
        foreach (var name in names)
        {
            var manifest = TryParse(Path.Combine(namespaceDir, name, BackupValidation.ManifestFile)) as JsonObject;
            if (runId is not null && RunIdOf(manifest) != runId)
            {
                continue; // another run's backup: never this run's to restore, not worth a line each
            }

            var preUpgrade = manifest?["preUpgrade"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
            if (preUpgrade)
            {
                foreach (var line in passedOver)
                {
                    reporter.Event(stage, "skipped-backup", line);
                }

                return Path.Combine(namespaceDir, name);
            }

            passedOver.Add(manifest is null
                ? $"passing over {name}: its manifest cannot be read"
                : $"passing over {name}: not a pre-upgrade backup ({BackupValidation.Str(manifest["notPreUpgrade"]) ?? "no preUpgrade mark"})");
        }

        if (runId is not null && passedOver.Count == 0)
        {
            throw Refuse($"no pre-upgrade backup of run {runId} among the {names.Count} backups of namespace {ns} under {backupDir}: this run took none, so there is nothing of its own to undo; nothing was changed");
        }

        if (runId is not null && NewestPreUpgrade(namespaceDir, names) is { } other)
        {
            // A rerun after a failure between update-prehook and the first image stream (review N1) backs up a namespace
            // already on its way: the backup that returns it is an earlier run's, which only the operator may choose.
            throw Refuse($"run {runId} took no pre-upgrade backup ({passedOver[0]}), so this run cannot undo the upgrade by itself; nothing was changed. " +
                $"The newest pre-upgrade backup of namespace {ns} is {Path.Combine(namespaceDir, other.Name)} ({(other.RunId is null ? "taken without a run id" : "run " + other.RunId)}): " +
                $"restore it with `ciupgrade rollback -n {ns} --backup-dir {Path.Combine(namespaceDir, other.Name)}`");
        }

        throw Refuse($"none of the {names.Count} backups of namespace {ns} under {backupDir} is a pre-upgrade one ({passedOver[0]}); nothing was changed: pass a backup taken before the upgrade with --backup-dir");
    }

    private static (string Name, string? RunId)? NewestPreUpgrade(string namespaceDir, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (TryParse(Path.Combine(namespaceDir, name, BackupValidation.ManifestFile)) is JsonObject manifest
                && manifest["preUpgrade"] is JsonValue v && v.TryGetValue<bool>(out var b) && b)
            {
                return (name, RunIdOf(manifest));
            }
        }

        return null;
    }

    private static string? RunIdOf(JsonNode? manifest) => manifest is JsonObject m ? BackupValidation.Str(m["runId"]) : null;

    private static BackupContent Load(string dir)
    {
        var manifestPath = Path.Combine(dir, BackupValidation.ManifestFile);
        var manifest = Parse(manifestPath);
        var present = Directory.EnumerateFiles(dir).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var problems = BackupValidation.FileListProblems(manifest, present).ToList();
        if (problems.Count == 0)
        {
            foreach (var file in new[] { BackupValidation.StreamsFile, BackupValidation.DeploymentConfigsFile }.Where(present.Contains))
            {
                if (Sha256(Path.Combine(dir, file)) != BackupValidation.RecordedSha256(manifest, file))
                {
                    problems.Add($"{file} does not match the sha256 in {BackupValidation.ManifestFile}");
                }
            }
        }

        var (content, invalid) = BackupValidation.Validate(manifest, Parse(Path.Combine(dir, BackupValidation.StreamsFile)),
            Parse(Path.Combine(dir, BackupValidation.DeploymentConfigsFile)));
        problems.AddRange(invalid);
        if (content is null || problems.Count > 0)
        {
            throw Refuse($"the backup in {dir} is not usable: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $" (and {problems.Count - 5} more)" : string.Empty)}; nothing was changed");
        }

        return content;
    }

    private static JsonNode? Parse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw Refuse($"cannot read {path}: {e.Message} (pass the --backup-dir the backup stage wrote)");
        }
    }

    private static JsonNode? TryParse(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static UpgradeException Refuse(string message) => new(ExitCode.BadInput, message);
}
