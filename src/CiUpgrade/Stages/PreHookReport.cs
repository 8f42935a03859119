using CiUpgrade.Cluster;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// What the waits say about a rollout's pre hook: the hook pod's failure (found by the deployer's labels) and, for
/// the final error, the last lines of its log (GET pods/{name}/log with tailLines and limitBytes, so a huge log is
/// never read). `KEY=value` of the plan's secret key and every secret read in this run are masked.
/// </summary>
public sealed class PreHookReport(StageContext context)
{
    private const int TailLines = 10;
    private const int LimitBytes = 4096;
    private const int MaxLineLength = 240;

    /// <summary>The failure of the hook of <paramref name="dc"/>'s version <paramref name="version"/>; null when it has none or it is not failing.</summary>
    public async Task<string?> FailureAsync(string dc, long version, bool withLog, CancellationToken ct)
    {
        var rc = $"{dc}-{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        var pod = (await context.Client.ListPodsAsync(PreHookPod.Selector(rc), ct)).FirstOrDefault();
        if (pod is null || PreHookPod.Failure(pod) is not { } failure)
        {
            return null;
        }

        return withLog ? failure + await LogTailAsync(pod.Metadata.Name, ct) : failure;
    }

    private async Task<string> LogTailAsync(string pod, CancellationToken ct)
    {
        string text;
        try
        {
            text = await context.Client.ReadPodLogAsync(pod, PreHookPod.Container, TailLines, LimitBytes, ct);
        }
        catch (Exception e) when (e is UpgradeException or ClusterRequestException)
        {
            return $"; its log could not be read ({e.Message})";
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))
            .Select(l => l.Length > MaxLineLength ? l[..MaxLineLength] + "…" : l)
            .Select(l => context.Plan.PreHook is { } hook ? PreHookCommand.Mask(l, hook) : l)
            .Select(context.Reporter.Secrets.Apply)
            .ToList();
        return lines.Count == 0 ? "; its log is empty" : $"; last lines of its log (oc logs {pod}): {string.Join(" | ", lines)}";
    }
}
