using CiUpgrade.Cluster.Models;

namespace CiUpgrade.Rules;

/// <summary>What build-oracle-system does about the build, given the builds that exist.</summary>
public enum OracleBuildAction
{
    /// <summary>No build on the target base yet (or --force, or the last one failed): start one.</summary>
    Start,

    /// <summary>A build on the target base is still New, Pending or Running (an earlier run crashed) and not being cancelled: follow it.</summary>
    Follow,

    /// <summary>A build on the target base completed and amp-system:latest still holds its image: nothing to build.</summary>
    Done,
}

/// <summary>
/// Decides whether to start, follow or skip the Oracle system build, so a rerun never rebuilds what is built and
/// never starts a second build next to a running one. A build counts when its (resolved) Docker base is the image
/// amp-system's target tag resolves to now.
/// </summary>
public static class OracleBuildDecision
{
    public static readonly IReadOnlySet<string> Active = new HashSet<string>(StringComparer.Ordinal) { "New", "Pending", "Running" };

    public static (OracleBuildAction Action, Build? Build) Decide(IEnumerable<Build> builds, string? targetBase, string? latestImage, bool force)
    {
        if (targetBase is null)
        {
            return (OracleBuildAction.Start, null);
        }

        var onTarget = builds.Where(b => b.Spec.Strategy?.DockerStrategy?.From?.Name == targetBase)
            .OrderByDescending(b => b.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenByDescending(b => BuildNumber(b)).ToList();
        // A build being cancelled (its upload broke off when an earlier run was killed) is not followed: it ends Cancelled.
        if (onTarget.FirstOrDefault(b => Active.Contains(b.Status.Phase ?? "New") && b.Status.Cancelled != true) is { } running)
        {
            return (OracleBuildAction.Follow, running);
        }

        if (force)
        {
            return (OracleBuildAction.Start, null);
        }

        var complete = onTarget.FirstOrDefault(b => b.Status.Phase == "Complete");
        var digest = complete?.Status.Output?.To?.ImageDigest;
        return digest is not null && latestImage?.EndsWith("@" + digest, StringComparison.Ordinal) == true
            ? (OracleBuildAction.Done, complete)
            : (OracleBuildAction.Start, null);
    }

    /// <summary>
    /// Whether a followed build's end calls for a new decision rather than a failure: it ended Cancelled and this run
    /// did not start it. A binary build whose upload does not complete is cancelled by the API server
    /// (openshift-apiserver buildconfiginstantiate, binaryInstantiateHandler: cancelBuild deferred until the upload
    /// streamed), which may happen only once it runs, after a rerun decided to follow it; the killed run's build is
    /// then gone, not failed.
    /// </summary>
    public static bool DecideAgain(Build followed, bool startedByThisRun) =>
        !startedByThisRun && followed.Status.Phase == "Cancelled";

    private static long BuildNumber(Build build) =>
        build.Metadata.Annotations?.TryGetValue("openshift.io/build.number", out var n) == true && long.TryParse(n, out var number) ? number : 0;
}
