using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>Waits until every DC of the plan (or the given ones) runs the images its image stream tags resolve to now, fully rolled out.</summary>
public sealed class WaitRolloutsStage(StageContext context)
{
    private const string Stage = "wait-rollouts";

    public async Task<ExitCode> RunAsync(IReadOnlyList<string> only, CancellationToken ct)
    {
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        var planned = InstallInspection.ApplicableStreams(context.Plan, snapshot.DeploymentConfigNames).SelectMany(s => s.Triggers)
            .Concat(context.Plan.Verify.Select(v => v.DeploymentConfig))
            .Where(snapshot.DeploymentConfigs.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
        var names = only.Count > 0 ? only : planned;
        var unknown = names.Where(n => !snapshot.DeploymentConfigs.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new UpgradeException(ExitCode.BadInput, $"--dc names DeploymentConfigs not in namespace {context.Namespace}: {string.Join(", ", unknown)}");
        }

        var expectations = names.ToDictionary(n => n,
            n => RolloutExpectation.Images(TriggeredImages.Expected(snapshot.DeploymentConfigs[n], snapshot.Streams)), StringComparer.Ordinal);
        context.Reporter.Event(Stage, "wait", $"waiting for {names.Count} DeploymentConfigs to finish rolling out");
        await new RolloutWaiter(context, Stage).WaitAsync(expectations, ct);
        context.Reporter.Event(Stage, "done", $"all {names.Count} DeploymentConfigs are rolled out and available");
        return ExitCode.Success;
    }
}
