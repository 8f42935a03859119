using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CiUpgrade.Cluster;

/// <summary>
/// The Kubernetes version the API server reports (GET /version), and the features ciupgrade may rely on because
/// of it. OpenShift 3.11 reports Kubernetes 1.11 (`v1.11.0+d4cacc0`), OpenShift 4.x 1.13 and later.
/// </summary>
public sealed partial record ApiServerVersion(int Major, int Minor, string GitVersion)
{
    /// <summary>What is assumed when /version cannot be read: nothing optional.</summary>
    public static readonly ApiServerVersion Unknown = new(0, 0, "unknown");

    /// <summary>
    /// Server-side dry run (`?dryRun=All`): beta and on by default from 1.13 (alpha, off, in 1.12:
    /// kubernetes/enhancements#576). A 1.11 server ignores the parameter and APPLIES the write, so below 1.13
    /// it must never be sent.
    /// </summary>
    public bool SupportsDryRun => AtLeast(1, 13);

    /// <summary>BOOKMARK watch events: beta and on by default from 1.16 (KEP-956); older servers ignore the request.</summary>
    public bool SupportsWatchBookmarks => AtLeast(1, 16);

    /// <summary>
    /// Reads a version.Info document. `minor` may carry a suffix ("11+" on some distributions), and some servers
    /// leave major/minor empty: then the numbers come from gitVersion ("v1.11.0+d4cacc0").
    /// </summary>
    public static ApiServerVersion Parse(JsonNode? info)
    {
        var git = (string?)info?["gitVersion"] ?? string.Empty;
        var major = Number((string?)info?["major"]);
        var minor = Number((string?)info?["minor"]);
        if ((major is null || minor is null) && GitVersionPattern().Match(git) is { Success: true } m)
        {
            major = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            minor = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return major is { } a && minor is { } b ? new ApiServerVersion(a, b, git.Length > 0 ? git : $"v{a}.{b}") : Unknown;
    }

    public override string ToString() => GitVersion;

    private bool AtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    private static int? Number(string? text)
    {
        var digits = new string((text ?? string.Empty).TakeWhile(char.IsAsciiDigit).ToArray());
        return digits.Length > 0 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    [GeneratedRegex(@"^v(\d+)\.(\d+)")]
    private static partial Regex GitVersionPattern();
}
