using CiUpgrade.Cluster;
using CiUpgrade.Plans;
using CiUpgrade.Reporting;

namespace CiUpgrade.Stages;

/// <summary>What every cluster stage works with: the client for one namespace, the plan, the output, the clock and the wait limit.</summary>
public sealed record StageContext(OpenShiftClient Client, UpgradePlan Plan, Reporter Reporter, TimeProvider Time, TimeSpan Timeout)
{
    public string Namespace => Client.Namespace;

    /// <summary>Whether dry runs go to the server (read from /version once per invocation; copies made with `with` share it).</summary>
    public ServerDryRun DryRun { get; init; } = new(Client);

    /// <summary>True when the server validates dry-run patches; otherwise says once, on this context's reporter, that it cannot.</summary>
    public Task<bool> ServerValidatesDryRunAsync(string stage, CancellationToken ct) => DryRun.AvailableAsync(Reporter, stage, ct);

    /// <summary>
    /// Whether waits retry a latest deployment that failed before this run (`oc rollout latest`) and re-import a target
    /// tag whose import failed for its current generation; false with --no-retry (fail as before, naming the command).
    /// </summary>
    public bool RetryFailures { get; init; } = true;
}
