using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// What preflight checks and every mutating stage checks again before its first write (Tekton may run a stage
/// alone): the release is the plan's source or target, every stream and DC the plan needs is present, and every DC
/// is rolled out and available — except those the stage's own earlier run set rolling (it resumes them).
/// </summary>
public static class InstallChecks
{
    /// <summary>The release problem, or null when the install is at the plan's source or target.</summary>
    public static UpgradeException? Release(InstallSnapshot snapshot, Plans.UpgradePlan plan) =>
        snapshot.Release == plan.Source || snapshot.Release == plan.Target ? null
            : new UpgradeException(ExitCode.WrongClusterState,
                $"{plan.Release.DeploymentConfig} reports {plan.Release.Env}={snapshot.Release ?? "(unset)"}, but this plan upgrades {plan.Source} to {plan.Target}: use a plan for that release");

    /// <summary>Every plan stream that applies here and every DC its tags trigger (optional ones only when present).</summary>
    public static IReadOnlyList<UpgradeException> Missing(InstallSnapshot snapshot, Plans.UpgradePlan plan, string ns)
    {
        var problems = new List<UpgradeException>();
        foreach (var step in InstallInspection.ApplicableStreams(plan, snapshot.DeploymentConfigNames))
        {
            if (!snapshot.Streams.ContainsKey(step.Name))
            {
                problems.Add(new UpgradeException(ExitCode.WrongClusterState, $"namespace {ns} is not a complete 3scale install: image stream {step.Name} is missing"));
            }

            problems.AddRange(step.Triggers.Where(t => !step.Optional && !snapshot.DeploymentConfigs.ContainsKey(t))
                .Select(t => new UpgradeException(ExitCode.WrongClusterState, $"namespace {ns} is not a complete 3scale install: DeploymentConfig {t} is missing")));
        }

        return problems;
    }

    /// <summary>Every DC (but the exempt ones) whose latest version is not rolled out and available.</summary>
    public static async Task<IReadOnlyList<UpgradeException>> NotRolledOutAsync(StageContext context, InstallSnapshot snapshot, IReadOnlySet<string> exempt, CancellationToken ct)
    {
        var problems = new List<UpgradeException>();
        foreach (var listed in snapshot.DeploymentConfigs.Values.Where(d => !exempt.Contains(d.Metadata.Name)).OrderBy(d => d.Metadata.Name, StringComparer.Ordinal))
        {
            var dc = await ObservedAsync(context, listed, ct);
            var rcs = await context.Client.ListReplicationControllersAsync(dc.Metadata.Name, ct);
            var verdict = RolloutState.Evaluate(dc, rcs, RolloutExpectation.None);
            if (verdict.Phase != RolloutPhase.Complete)
            {
                problems.Add(new UpgradeException(ExitCode.WrongClusterState,
                    $"DeploymentConfig {dc.Metadata.Name} is not rolled out and available ({verdict.Message}): let it finish or fix it before upgrading"));
            }
        }

        return problems;
    }

    /// <summary>
    /// The DC once its controller has observed its latest spec. A change that starts no rollout (update-prehook's
    /// strategy patch) still bumps metadata.generation, and until the controller catches up (seconds) the DC reads as
    /// "not observed" — not a rollout in progress. Re-read every second, for at most a minute (never beyond --timeout);
    /// the last reading is judged.
    /// </summary>
    private static async Task<Cluster.Models.DeploymentConfig> ObservedAsync(StageContext context, Cluster.Models.DeploymentConfig dc, CancellationToken ct)
    {
        var until = context.Time.GetUtcNow() + (context.Timeout < ObservationWait ? context.Timeout : ObservationWait);
        while (RolloutState.NotObserved(dc) is not null && context.Time.GetUtcNow() < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), context.Time, ct);
            dc = await context.Client.GetDeploymentConfigAsync(dc.Metadata.Name, ct) ?? dc;
        }

        return dc;
    }

    private static readonly TimeSpan ObservationWait = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The DCs a forward stage's own earlier run may have set rolling: those triggered by a plan stream that already
    /// has the target tag (the stage patched it and may have been stopped while its rollouts ran).
    /// </summary>
    public static IReadOnlySet<string> RollingByUs(InstallSnapshot snapshot, Plans.UpgradePlan plan) =>
        plan.ImageStreams
            .Where(s => snapshot.Streams.TryGetValue(s.Name, out var stream) && stream.Spec.Tags?.Any(t => t.Name == plan.Target) == true)
            .SelectMany(s => InstallInspection.Triggered(snapshot.DeploymentConfigs.Values, s.Name))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The checks a mutating stage makes before its first write; every problem found is thrown as one line (exit 4),
    /// nothing sent. <paramref name="rollouts"/>: the DCs exempt from the rollout check, or null for no rollout check.
    /// </summary>
    public static async Task RequireAsync(StageContext context, InstallSnapshot snapshot, IReadOnlySet<string>? rollouts, CancellationToken ct)
    {
        var problems = new List<UpgradeException>();
        if (Release(snapshot, context.Plan) is { } release)
        {
            problems.Add(release);
        }
        else
        {
            problems.AddRange(Missing(snapshot, context.Plan, context.Namespace));
            if (rollouts is not null)
            {
                problems.AddRange(await NotRolledOutAsync(context, snapshot, rollouts, ct));
            }
        }

        if (problems.Count > 0)
        {
            throw new UpgradeException(ExitCode.WrongClusterState, problems.Count == 1
                ? $"{problems[0].Message}. Nothing was changed"
                : $"{problems.Count} problems, nothing was changed: {string.Join("; ", problems.Select(p => p.Message))}");
        }
    }
}
