using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// Is the namespace still as it was before the upgrade? Decided from the image streams, not only from AMP_RELEASE
/// (which changes last, in set-release): the release is the plan's source, no plan stream has the target tag yet,
/// and every plan stream's `latest` still names the source tag. A backup taken after patch-imagestreams started
/// fails this, so it can never replace the pre-upgrade one as what rollback restores (review D2).
/// </summary>
public static class PreUpgradeCheck
{
    /// <summary>Null when the state is pre-upgrade, else why not (one sentence).</summary>
    public static string? WhyNot(UpgradePlan plan, IReadOnlyDictionary<string, IReadOnlyList<SavedTag>> streams, string? release, bool oracle)
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

        return null;
    }
}
