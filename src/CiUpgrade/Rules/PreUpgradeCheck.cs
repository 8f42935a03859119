using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// Is the namespace still as it was before the upgrade? Decided from the image streams, not only from AMP_RELEASE
/// (which changes last, in set-release): the release is the plan's source, no plan stream has the target tag yet,
/// every plan stream's `latest` still names the source tag, and system-app's pre hook is not yet the target's (the
/// source's, or a customised one). A backup taken after patch-imagestreams started fails this, so it can never
/// replace the pre-upgrade one as what rollback restores (review D2); nor can one taken after update-prehook
/// (review N1): restoring its hook would put the target's migration tasks on the source image.
/// </summary>
public static class PreUpgradeCheck
{
    /// <summary>
    /// Null when the state is pre-upgrade, else why not (one sentence). <paramref name="preHook"/> is system-app's pre
    /// hook command as it is (null: no hook, or a plan without a hook step).
    /// </summary>
    public static string? WhyNot(UpgradePlan plan, IReadOnlyDictionary<string, IReadOnlyList<SavedTag>> streams, string? release, bool oracle,
        IReadOnlyList<string>? preHook = null)
    {
        if (release != plan.Source)
        {
            return $"{plan.Release.DeploymentConfig} reports {plan.Release.Env}={release ?? "(unset)"}, not {plan.Source}";
        }

        foreach (var step in plan.ImageStreams)
        {
            if (!streams.TryGetValue(step.Name, out var tags))
            {
                continue;
            }

            if (tags.Any(t => t.Name == plan.Target))
            {
                return $"image stream {step.Name} already has tag {plan.Target}";
            }

            // An Oracle-backed amp-system:latest is pushed by the build, never a reference to the source tag.
            if (oracle && step.Name == plan.Oracle.ImageStream)
            {
                continue;
            }

            var latest = tags.FirstOrDefault(t => t.Name == "latest");
            if (latest is null)
            {
                return $"image stream {step.Name} has no latest tag";
            }

            if (latest.FromKind != "ImageStreamTag" || (latest.FromName != plan.Source && latest.FromName != $"{step.Name}:{plan.Source}"))
            {
                return $"{step.Name}:latest points at {latest.FromKind ?? "nothing"} {latest.FromName}, not {step.Name}:{plan.Source}";
            }
        }

        // After the streams: a target tag says more about how far the upgrade went. Judged by the plan's template with
        // any token, as verify judges it: no secret needed.
        if (plan.PreHook is { } hook && PreHookCommand.MatchesTemplate(preHook, hook.Target, hook))
        {
            return $"{hook.DeploymentConfig}'s pre hook already runs the {plan.Target} migration (update-prehook ran)";
        }

        return null;
    }
}
