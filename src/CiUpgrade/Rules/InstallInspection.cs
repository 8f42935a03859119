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
    /// An Oracle-backed system: the BuildConfig that builds it exists, or the system database URL is oracle-enhanced://
    /// (runbook "Beyond the seed"). Nothing else: a `latest` pinned to a DockerImage is a hotfix on a standard install
    /// (<see cref="PinnedLatest"/>), not an Oracle build.
    /// </summary>
    public static bool IsOracle(bool buildConfigExists, string? databaseUrl) =>
        buildConfigExists || databaseUrl?.StartsWith("oracle-enhanced://", StringComparison.Ordinal) == true;

    /// <summary>The plan streams whose `latest` is not an ImageStreamTag reference (a pinned hotfix image), with what it names.</summary>
    public static IReadOnlyList<(string Stream, string Image)> PinnedLatest(UpgradePlan plan, IReadOnlyDictionary<string, ImageStream> streams) =>
        plan.ImageStreams
            .Select(s => (s.Name, Latest: streams.GetValueOrDefault(s.Name)?.Spec.Tags?.FirstOrDefault(t => t.Name == "latest")))
            .Where(x => x.Latest?.From is { Kind: not "ImageStreamTag" })
            .Select(x => (x.Name, $"{x.Latest!.From!.Kind} {x.Latest.From.Name}"))
            .ToList();

    /// <summary>The DCs that follow a stream's tags through ImageChange triggers (what a stream patch can roll out).</summary>
    public static IReadOnlyList<string> Triggered(IEnumerable<DeploymentConfig> dcs, string stream) =>
        dcs.Where(dc => dc.Spec.Triggers?.Any(t => TagResolution.Split(t.ImageChangeParams?.From?.Name)?.Stream == stream) == true)
            .Select(dc => dc.Metadata.Name).ToList();
}
