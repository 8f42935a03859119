using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Cluster;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// What the forward stages would do, without doing it: each patch patch-imagestreams and set-release would send,
/// in order, sent with server-side dry run (so the server validates it and stores nothing) when the server has it
/// (Kubernetes 1.13+; below, it would apply them, so they are only printed), the DCs each stream would roll out,
/// and every problem preflight would raise. Exit 0 when the plan can run, else preflight's code, or 4 when the server's
/// dry run rejected a step.
/// </summary>
public sealed class PlanStage(StageContext context)
{
    private const string Stage = "plan";
    private bool _validate;
    private readonly List<string> _rejected = [];

    public async Task<ExitCode> RunAsync(string? systemImage, string? oracleClientDir, CancellationToken ct)
    {
        var plan = context.Plan;
        IReadOnlyList<UpgradeException> problems;
        try
        {
            problems = await new PreflightStage(context with { Reporter = new Reporting.Reporter(TextWriter.Null, false, context.Time, context.Reporter.Secrets) }).ProblemsAsync(systemImage, oracleClientDir, null, ct);
        }
        catch (UpgradeException e)
        {
            problems = [e];
        }

        foreach (var problem in problems)
        {
            context.Reporter.Event(Stage, "problem", $"preflight: {problem.Message}",
                new Dictionary<string, string> { ["exitCode"] = ((int)problem.ExitCode).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        if (problems.Any(p => p.ExitCode == ExitCode.ClusterUnreachable))
        {
            return problems[0].ExitCode;
        }

        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        _validate = await context.ServerValidatesDryRunAsync(Stage, ct);
        var step = 0;
        if (plan.PreHook is { } hook && snapshot.DeploymentConfigs.GetValueOrDefault(hook.DeploymentConfig) is { } hookDc && PreHookCommand.PathFor(hookDc) is not null)
        {
            // update-prehook: a strategy-only change, so it rolls nothing out (the token is shown as ***).
            string? token = null;
            try
            {
                token = await PreHookToken.ReadAsync(context, hook, ct);
            }
            catch (UpgradeException)
            {
                // Already reported as a preflight problem.
            }

            if (token is not null)
            {
                var ops = PreHookCommand.Patch(hookDc, PreHookCommand.Render(hook.Target, hook, token));
                await ReportAsync(++step, "deploymentconfigs", hookDc.Metadata.Name, ops, [],
                    () => context.Client.PatchDeploymentConfigAsync(hookDc.Metadata.Name, ops, true, ct));
            }
        }

        foreach (var stream in InstallInspection.ApplicableStreams(plan, snapshot.DeploymentConfigNames))
        {
            var current = snapshot.Streams.GetValueOrDefault(stream.Name);
            if (current is null)
            {
                continue;
            }

            var rebuild = snapshot.Oracle && systemImage is null && stream.Name == plan.Oracle.ImageStream;
            var ops = ImageStreamTagPatch.For(current, stream, plan.Target, stream.Name == plan.Oracle.ImageStream ? systemImage : null, includeLatest: !rebuild);
            var triggered = InstallInspection.Triggered(snapshot.DeploymentConfigs.Values, stream.Name);
            await ReportAsync(++step, "imagestreams", stream.Name, ops, rebuild ? [] : triggered, () => context.Client.PatchImageStreamAsync(stream.Name, ops, true, ct));
            if (rebuild)
            {
                step = await ReportOracleBuildAsync(step, oracleClientDir, triggered, ct);
            }
        }

        if (snapshot.DeploymentConfigs.GetValueOrDefault(plan.Release.DeploymentConfig) is { } app)
        {
            var ops = ReleaseEnvPatch.For(app, plan.Release, plan.Target);
            await ReportAsync(++step, "deploymentconfigs", app.Metadata.Name, ops, [app.Metadata.Name],
                () => context.Client.PatchDeploymentConfigAsync(app.Metadata.Name, ops, true, ct));
        }

        if (problems.Count == 0 && _rejected.Count > 0)
        {
            // The server refused what the stage would send: the upgrade would stop there, so the plan cannot pass.
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"the server's dry run rejected {string.Join("; ", _rejected)}: the upgrade would stop there; nothing was changed");
        }

        context.Reporter.Event(Stage, "done", problems.Count == 0
            ? $"{step} steps; nothing was changed"
            : $"{step} steps; {problems.Count} problem(s) would stop the upgrade; nothing was changed");
        return problems.Count == 0 ? ExitCode.Success : problems[0].ExitCode;
    }

    /// <summary>The Oracle path's two further steps: the BuildConfig's base patch (dry run) and the binary build it would start.</summary>
    private async Task<int> ReportOracleBuildAsync(int step, string? clientDir, IReadOnlyList<string> triggered, CancellationToken ct)
    {
        var name = context.Plan.Oracle.BuildConfig;
        if (await context.Client.GetBuildConfigAsync(name, ct) is { } config)
        {
            var ops = BuildBasePatch.For(config, context.Plan.Oracle.ImageStream, context.Plan.Target);
            await ReportAsync(++step, "buildconfigs", name, ops, [], () => context.Client.PatchBuildConfigAsync(name, ops, true, ct));
        }

        var (action, build, _) = await new OracleSystemBuild(context, Stage).AssessAsync(clientDir, false, ct);
        var what = action switch
        {
            OracleBuildAction.Done => $"already built by {build!.Metadata.Name}, no build",
            OracleBuildAction.Follow => $"build {build!.Metadata.Name} is running; it would be followed",
            _ => $"binary build from {clientDir ?? "(--oracle-client-dir not given)"}",
        };
        context.Reporter.Event(Stage, "build", $"{++step}. buildconfigs/{name}/instantiatebinary: {what}; rolls out: {string.Join(", ", triggered)}",
            new Dictionary<string, string>
            {
                ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["resource"] = "buildconfigs/instantiatebinary",
                ["name"] = name,
                ["action"] = action.ToString(),
                ["rollsOut"] = string.Join(",", triggered),
            });
        return step;
    }

    private async Task ReportAsync<T>(int step, string kind, string name, JsonArray ops, IReadOnlyList<string> rollsOut, Func<Task<T>> dryRun)
    {
        var fields = new Dictionary<string, string>
        {
            ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = kind,
            ["name"] = name,
            ["patch"] = GoJsonEncoding.Serialize(ops),
            ["rollsOut"] = string.Join(",", rollsOut),
        };
        if (ops.Count == 0)
        {
            context.Reporter.Event(Stage, "unchanged", $"{step}. {kind}/{name}: already as planned, no patch", fields);
            return;
        }

        if (!_validate)
        {
            fields["dryRun"] = "not sent";
        }
        else
        {
            try
            {
                await dryRun();
                fields["dryRun"] = "accepted";
            }
            catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict or HttpStatusCode.BadRequest || e.GuardFailed)
            {
                fields["dryRun"] = "rejected: " + e.Message;
                _rejected.Add($"step {step} ({kind}/{name}: {e.Message})");
            }
        }

        var validation = _validate ? $"server dry run: {fields["dryRun"]}" : "not sent: the server cannot validate it";
        context.Reporter.Event(Stage, "patch",
            $"{step}. {kind}/{name}: JSON patch {GoJsonEncoding.Serialize(ops)} ({validation}); rolls out: {(rollsOut.Count == 0 ? "nothing" : string.Join(", ", rollsOut))}",
            fields);
    }
}
