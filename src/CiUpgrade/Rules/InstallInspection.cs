using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>Preflight decisions about what the namespace holds (pure: the stages fetch, these decide).</summary>
public static class InstallInspection
{
    /// <summary>The plan's streams that apply here: every required one, and each optional one whose DC exists (runbook step 7).</summary>
    public static IReadOnlyList<ImageStreamStep> ApplicableStreams(UpgradePlan plan, IReadOnlySet<string> deploymentConfigs) =>
        plan.ImageStreams.Where(s => !s.Optional || s.Triggers.Any(deploymentConfigs.Contains)).ToList();

    /// <summary>
    /// An Oracle-backed system: the BuildConfig exists, or amp-system's `latest` is not an ImageStreamTag reference
    /// (it is pushed by the build), or the system database URL is oracle-enhanced:// (runbook "Beyond the seed").
    /// </summary>
    public static bool IsOracle(ImageStream? systemStream, bool buildConfigExists, string? databaseUrl)
    {
        if (buildConfigExists || databaseUrl?.StartsWith("oracle-enhanced://", StringComparison.Ordinal) == true)
        {
            return true;
        }

        var latest = systemStream?.Spec.Tags?.FirstOrDefault(t => t.Name == "latest");
        return systemStream is not null && latest?.From?.Kind != "ImageStreamTag";
    }

    /// <summary>The DCs that follow a stream's tags through ImageChange triggers (what a stream patch can roll out).</summary>
    public static IReadOnlyList<string> Triggered(IEnumerable<DeploymentConfig> dcs, string stream) =>
        dcs.Where(dc => dc.Spec.Triggers?.Any(t => TagResolution.Split(t.ImageChangeParams?.From?.Name)?.Stream == stream) == true)
            .Select(dc => dc.Metadata.Name).ToList();
}
