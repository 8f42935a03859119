using CiUpgrade.Cluster;
using CiUpgrade.Reporting;

namespace CiUpgrade.Stages;

/// <summary>
/// Whether this invocation may send patches with `dryRun=All` so the server validates them. Below Kubernetes 1.13
/// (OpenShift 3.11 is 1.11) the server ignores the parameter and applies the patch (review D1), so plan and
/// --dry-run then compute the patches here, print them without sending them, and say so once.
/// </summary>
public sealed class ServerDryRun(OpenShiftClient client)
{
    private int _said;

    public async Task<bool> AvailableAsync(Reporter reporter, string stage, CancellationToken ct)
    {
        var version = await client.GetServerVersionAsync(ct);
        if (version.SupportsDryRun)
        {
            return true;
        }

        if (Interlocked.Exchange(ref _said, 1) == 0)
        {
            reporter.Event(stage, "noServerDryRun",
                $"the API server (Kubernetes {version}) cannot validate these patches (server-side dry run needs Kubernetes 1.13): they are computed here and not sent",
                new Dictionary<string, string> { ["serverVersion"] = version.ToString() });
        }

        return false;
    }
}
