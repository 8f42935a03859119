using k8s.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>One deployment (replication controller) of system-app, as the migration check reads it.</summary>
/// <param name="Images">The images of its pod template, by container.</param>
/// <param name="Hook">Its pre hook command and the container it runs as, from the DC it was made from (the RC's
/// encoded-deployment-config annotation); null when it had none or it cannot be read.</param>
/// <param name="HookPod">Its pre hook pod (`&lt;rc&gt;-hook-pre`), when the deployer's record of it is still there.</param>
public sealed record Deployment(string Name, long Version, string? Phase, IReadOnlyDictionary<string, string> Images,
    (IReadOnlyList<string> Command, string Container)? Hook, V1Pod? HookPod);

/// <summary>A deployment that ran, or is about to run, the target's migration, and how we know.</summary>
public sealed record MigrationEvidence(string Deployment, string Why);

/// <summary>
/// Has the target release's data migration run on the system database? The guide's step 2.2 puts it in system-app's
/// pre hook, which the deployer runs as pod `&lt;rc&gt;-hook-pre` on the new deployment's image before it scales anything
/// (openshift/origin pkg/apps/strategy/support/lifecycle.go). So a deployment of system-app made after the last data
/// restore whose hook is the target's command and whose image is not the backup's has migrated the database when:
/// it is Complete (its hook passed); or its hook container ran (a hook that failed may still have migrated: its first
/// task, `openshift:deploy`, runs db:migrate, and its log shows which task failed, not what was committed); or it is
/// still under way (the hook is about to run: restoring the tags would not stop it); or it failed and its hook pod is
/// gone, so nobody can tell. The target's hook on the backup's (source) image never migrates: the 2.7 tasks do not
/// exist there and the hook fails first (review N1).
/// </summary>
public static class MigrationCheck
{
    /// <summary>The newest deployment that migrated the database, or null when none did.</summary>
    /// <param name="sourceImages">system-app's images in the backup, by container.</param>
    /// <param name="restoredThrough">system-app's latest version when the last data restore ended (0: none).</param>
    public static MigrationEvidence? Find(PreHookSetting hook, string target, IEnumerable<Deployment> deployments, IReadOnlyDictionary<string, string> sourceImages, long restoredThrough)
    {
        foreach (var d in deployments.Where(d => d.Version > restoredThrough).OrderByDescending(d => d.Version))
        {
            var command = d.Hook?.Command ?? HookPodCommand(d.HookPod);
            if (!PreHookCommand.MatchesTemplate(command, hook.Target, hook))
            {
                continue;
            }

            var container = d.Hook?.Container ?? sourceImages.Keys.FirstOrDefault() ?? string.Empty;
            var image = HookPodImage(d.HookPod) ?? d.Images.GetValueOrDefault(container);
            if (image is not null && sourceImages.TryGetValue(container, out var source) && image == source)
            {
                continue; // the target's tasks on the source image: they do not exist there, the hook fails before them
            }

            var on = image ?? "an unknown image";
            if (d.Phase == "Complete")
            {
                return new MigrationEvidence(d.Name, $"deployment {d.Name} ran the {target} pre hook on {on} and is Complete");
            }

            if (d.HookPod is { } pod && Ran(pod) is { } ran)
            {
                return new MigrationEvidence(d.Name, $"the {target} pre hook of deployment {d.Name} (pod {pod.Metadata.Name}) {ran} on {on}, so the migration ran at least in part");
            }

            if (d.Phase is "New" or "Pending" or "Running")
            {
                return new MigrationEvidence(d.Name, $"deployment {d.Name} with the {target} pre hook on {on} is {d.Phase}: its hook runs the migration before it scales up");
            }

            if (d.Phase == "Failed" && d.HookPod is null)
            {
                return new MigrationEvidence(d.Name, $"deployment {d.Name} with the {target} pre hook on {on} Failed and its hook pod is gone: whether the migration ran cannot be told, so it counts as run");
            }
        }

        return null;
    }

    /// <summary>How the hook container ran, or null when it never started (an image that could not be pulled).</summary>
    private static string? Ran(V1Pod pod)
    {
        var status = pod.Status?.ContainerStatuses?.FirstOrDefault();
        if (status?.State?.Terminated is { } done)
        {
            return $"ran to exit {done.ExitCode}";
        }

        if (status?.LastState?.Terminated is not null || status?.RestartCount > 0)
        {
            return $"ran {status?.RestartCount ?? 1} time(s) (last exit {status?.LastState?.Terminated?.ExitCode})";
        }

        return status?.State?.Running is not null ? "is running" : pod.Status?.Phase == "Succeeded" ? "succeeded" : null;
    }

    private static IReadOnlyList<string>? HookPodCommand(V1Pod? pod) => pod?.Spec?.Containers?.FirstOrDefault()?.Command?.ToList();

    private static string? HookPodImage(V1Pod? pod) => pod?.Spec?.Containers?.FirstOrDefault()?.Image;
}
