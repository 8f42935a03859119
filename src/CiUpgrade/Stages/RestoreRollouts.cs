using System.Globalization;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// The rollouts a data restore starts itself, as `oc rollout latest dc/&lt;name&gt;` does (POST instantiate, latest and
/// force), each exactly once however often the stage is killed and rerun: the DC's latestVersion is saved in the
/// restore's progress before the request, and a rerun that finds the DC past it knows the rollout was started.
/// </summary>
public sealed class RestoreRollouts(StageContext context, string stage, RestoreState state)
{
    private const int Attempts = 4;

    /// <summary>Starts the rollout named <paramref name="key"/> of <paramref name="dc"/> unless this restore already did, then waits for it.</summary>
    public async Task RollOutAsync(RestoreProgress progress, string key, IReadOnlyList<string> dcs, CancellationToken ct)
    {
        foreach (var dc in dcs)
        {
            var current = await context.Client.GetDeploymentConfigAsync(dc, ct)
                ?? throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {dc} is gone from namespace {context.Namespace}; nothing more was changed");
            var rolloutKey = $"{key}:{dc}";
            if (!progress.Rollouts.TryGetValue(rolloutKey, out var before))
            {
                before = current.Status.LatestVersion;
                progress.Rollouts[rolloutKey] = before;
                await state.SaveAsync(progress, ct);
            }

            if (current.Status.LatestVersion > before)
            {
                context.Reporter.Event(stage, "rollout", $"{dc}: version {current.Status.LatestVersion.ToString(CultureInfo.InvariantCulture)} was started by this restore already");
                continue;
            }

            var version = await InstantiateAsync(dc, before, ct);
            context.Reporter.Event(stage, "rollout", $"{dc}: rolling out version {version.ToString(CultureInfo.InvariantCulture)} (oc rollout latest dc/{dc})");
        }

        await new RolloutWaiter(context, stage).WaitAsync(dcs.ToDictionary(d => d, _ => RolloutExpectation.None, StringComparer.Ordinal), ct);
    }

    /// <summary>
    /// The instantiate POST is sent once (<see cref="Cluster.OpenShiftClient.InstantiateLatestAsync"/>: a resend could
    /// start a second version). When its connection breaks, the DC's latestVersion says whether it was taken: past
    /// <paramref name="before"/>, the rollout started; not, it is sent again (a few times, then exit 3 as before).
    /// </summary>
    private async Task<long> InstantiateAsync(string dc, long before, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await context.Client.InstantiateLatestAsync(dc, ct)).Status.LatestVersion;
            }
            catch (UpgradeException e) when (e.ExitCode == ExitCode.ClusterUnreachable && attempt < Attempts && !Cluster.OpenShiftClient.IsForbidden(e))
            {
                var current = await context.Client.GetDeploymentConfigAsync(dc, ct);
                if (current?.Status.LatestVersion > before)
                {
                    return current.Status.LatestVersion;
                }

                context.Reporter.Event(stage, "rollout", $"{dc}: the request that starts its rollout was cut ({e.Message}) and the DC is still at version {before.ToString(CultureInfo.InvariantCulture)}: sending it again");
            }
        }
    }
}
