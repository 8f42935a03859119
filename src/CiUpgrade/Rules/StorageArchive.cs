using System.Text.RegularExpressions;
using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// The `system-storage` volume (the developer portal's uploads and runtime files, a source of truth in Red Hat's list:
/// ../shared/docs/restore.md §1) as a tar stream, what `oc rsync` copies: archived with tar in a pod that mounts the
/// claim, and extracted into an emptied mount point (`rsync --delete`: files written after the backup go), without
/// owners and without touching the mount point's own metadata (the operator's restore avoids `rsync -a` because a
/// chgrp of the volume root is not permitted).
/// </summary>
public static partial class StorageArchive
{
    public const string Claim = "system-storage";
    public const string DeploymentConfig = "system-app";
    public const string File = "system-storage.tar.gz";

    /// <summary>The container of <paramref name="spec"/> that mounts the claim, and where; null when none does.</summary>
    public static (string Container, string Path)? MountIn(V1PodSpec? spec)
    {
        var volume = spec?.Volumes?.FirstOrDefault(v => v.PersistentVolumeClaim?.ClaimName == Claim)?.Name;
        foreach (var container in spec?.Containers ?? [])
        {
            if (container.VolumeMounts?.FirstOrDefault(m => m.Name == volume) is { } mount && SafePath().IsMatch(mount.MountPath ?? string.Empty))
            {
                return (container.Name, mount.MountPath!.TrimEnd('/'));
            }
        }

        return null;
    }

    public static IReadOnlyList<string> Archive(string path) => DatabaseDump.Shell($"exec tar -C {path} -cf - .");

    /// <summary>Empties the mount point, then extracts exactly <paramref name="bytes"/> bytes of tar from stdin (see <see cref="DataLoad"/>).</summary>
    public static IReadOnlyList<string> Extract(string path, long bytes) =>
        DatabaseDump.Shell($"cd {path} && find . -mindepth 1 -delete && head -c {bytes} | tar -xf - --no-same-owner --no-overwrite-dir");

    /// <summary>A path that needs no quoting in a shell word.</summary>
    [GeneratedRegex("^/[A-Za-z0-9/._-]+$")]
    private static partial Regex SafePath();
}
