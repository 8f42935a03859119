using System.Globalization;
using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// Which API server the simulator answers as. The behaviours that differ between them, for the requests
/// ciupgrade sends, are the flags below (sources in docs/simulator.md, "Server version").
/// </summary>
public sealed record ServerVersion(string Name, int Major, int Minor, string GitVersion, string GitCommit, string BuildDate, string GoVersion)
{
    /// <summary>OpenShift 3.11: Kubernetes 1.11 (`oc version` there prints "kubernetes v1.11.0+d4cacc0").</summary>
    public static readonly ServerVersion OpenShift311 = new("3.11", 1, 11, "v1.11.0+d4cacc0", "d4cacc0", "2019-12-02T08:30:15Z", "go1.10.8");

    /// <summary>OpenShift 4 (4.16: Kubernetes 1.29).</summary>
    public static readonly ServerVersion OpenShift4 = new("4.x", 1, 29, "v1.29.10+67d3387", "67d3387e1f2a2a8c2d3e0e6bf2d0a2a4a0d1b8f1", "2024-11-08T00:00:00Z",
        "go1.21.13 (Red Hat 1.21.13-1.el9_4) X:strictfipsruntime");

    /// <summary>
    /// Server-side dry run: the DryRun feature gate is alpha in 1.12 and beta (on by default) in 1.13
    /// (kubernetes/enhancements#576, kubernetes/website#10033). A 1.11 handler never reads the `dryRun` query
    /// parameter (handlers/rest.go PatchResource of that era reads only `timeout`), so the write is applied.
    /// </summary>
    public bool HonoursDryRun => AtLeast(1, 13);

    /// <summary>
    /// BOOKMARK watch events: the WatchBookmark gate is alpha in 1.15, beta (on by default) in 1.16, GA in 1.17
    /// (KEP-956 "watch bookmark"). Older servers ignore `allowWatchBookmarks` and never send one.
    /// </summary>
    public bool SendsBookmarks => AtLeast(1, 16);

    /// <summary>
    /// The reason of the 410 a watch from a compacted resourceVersion gets: the 1.11 watch cache returns
    /// errors.NewGone ("Gone"); later servers errors.NewResourceExpired ("Expired"). Both carry code 410.
    /// </summary>
    public string ExpiredReason => AtLeast(1, 16) ? "Expired" : "Gone";

    /// <summary>
    /// Whether a JSON patch that does not apply (a failed `test`) is a 422 Invalid: from 1.14 and the 1.11.8, 1.12.6
    /// and 1.13.4 patch releases (the CVE-2019-1002100 fix in handlers/patch.go). OpenShift 3.11's v1.11.0 answers 500
    /// with the json-patch error's text (RequestHandler.FailedJsonPatch).
    /// </summary>
    public bool FailedJsonPatchIsInvalid => AtLeast(1, 14);

    public static ServerVersion Parse(string text) => text switch
    {
        "3.11" => OpenShift311,
        "4.x" or "4" => OpenShift4,
        _ => throw new ArgumentException($"unknown server version \"{text}\": use 3.11 or 4.x"),
    };

    /// <summary>The /version document (k8s.io/apimachinery/pkg/version.Info), as both servers print it.</summary>
    public JsonObject ToJson() => new()
    {
        ["major"] = Major.ToString(CultureInfo.InvariantCulture),
        ["minor"] = Minor.ToString(CultureInfo.InvariantCulture),
        ["gitVersion"] = GitVersion,
        ["gitCommit"] = GitCommit,
        ["gitTreeState"] = "clean",
        ["buildDate"] = BuildDate,
        ["goVersion"] = GoVersion,
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public override string ToString() => Name;

    public bool AtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);
}
