using CiUpgrade.Cluster;
using CiUpgrade.Plans;
using CiUpgrade.Reporting;

namespace CiUpgrade.Stages;

/// <summary>What every cluster stage works with: the client for one namespace, the plan, the output, the clock and the wait limit.</summary>
public sealed record StageContext(OpenShiftClient Client, UpgradePlan Plan, Reporter Reporter, TimeProvider Time, TimeSpan Timeout)
{
    public string Namespace => Client.Namespace;
}
