namespace CiUpgrade.Stages;

/// <summary>
/// The Oracle system build on its own (patch-imagestreams runs the same steps for amp-system of an Oracle-backed
/// install): refuses what preflight refuses (another release, missing objects, DCs not rolled out), then <see cref="OracleSystemBuild"/>.
/// </summary>
public sealed class BuildOracleSystemStage(StageContext context)
{
    private const string Stage = "build-oracle-system";

    public async Task<ExitCode> RunAsync(string? clientDir, bool force, bool noWait, CancellationToken ct)
    {
        var plan = context.Plan;
        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        await InstallChecks.RequireAsync(context, snapshot, InstallChecks.RollingByUs(snapshot, plan), ct);
        var build = new OracleSystemBuild(context, Stage);
        await build.RequireReadyAsync(clientDir, force, ct);
        await build.RunAsync(clientDir, force, noWait, dryRun: false, ct);
        context.Reporter.Event(Stage, "done", $"{plan.Oracle.ImageStream}:latest is built on {plan.Oracle.ImageStream}:{plan.Target}");
        return ExitCode.Success;
    }
}
