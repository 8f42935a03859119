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

    /// <summary>
    /// Every DC (but the exempt ones) whose latest version is not rolled out and available, or that is scaled to zero
    /// although the plan marks it mustRun (<see cref="ScaledToZero"/>), judged once the controller
    /// has observed each one's latest spec (<see cref="ObservedAsync"/>), with their replication controllers read in one
    /// LIST afterwards (as verify reads them), not one per DC.
    /// </summary>
    public static async Task<IReadOnlyList<UpgradeException>> NotRolledOutAsync(StageContext context, InstallSnapshot snapshot, IReadOnlySet<string> exempt, CancellationToken ct)
    {
        var judged = snapshot.DeploymentConfigs.Values.Where(d => !exempt.Contains(d.Metadata.Name)).OrderBy(d => d.Metadata.Name, StringComparer.Ordinal).ToList();
        if (judged.Count == 0)
        {
            return [];
        }

        var observed = await ObservedAsync(context, judged, ct);
        var rcsByDc = (await context.Client.ListDeploymentReplicationControllersAsync(false, ct))
            .Where(rc => Cluster.Models.DeploymentConfig.OwnerOf(rc) is not null)
            .ToLookup(rc => Cluster.Models.DeploymentConfig.OwnerOf(rc)!, StringComparer.Ordinal);
        var problems = new List<UpgradeException>();
        foreach (var listed in judged)
        {
            var dc = observed[listed.Metadata.Name];
            var verdict = RolloutState.Evaluate(dc, rcsByDc[dc.Metadata.Name].ToList(), RolloutExpectation.None);
            if (ScaledToZero.Is(dc) && ScaledToZero.MustRun(context.Plan, dc.Metadata.Name))
            {
                problems.Add(new UpgradeException(ExitCode.WrongClusterState, ScaledToZero.Required(dc.Metadata.Name)));
            }
            else if (verdict.Phase != RolloutPhase.Complete)
            {
                problems.Add(new UpgradeException(ExitCode.WrongClusterState,
                    $"DeploymentConfig {dc.Metadata.Name} is not rolled out and available ({verdict.Message}): let it finish or fix it before upgrading"));
            }
        }

        return problems;
    }

    /// <summary>
    /// The DCs once their controller has observed their latest spec. A change that starts no rollout (update-prehook's
    /// strategy patch) still bumps metadata.generation, and until the controller catches up (usually within a second)
    /// the DC reads as "not observed" — not a rollout in progress. Only when one is not observed: a LIST of the DCs, then
    /// a watch from its resourceVersion until every one is observed (the change is seen as it lands, not at the next
    /// poll), for at most a minute and never beyond --timeout; the last reading of each is judged.
    /// </summary>
    private static async Task<Dictionary<string, Cluster.Models.DeploymentConfig>> ObservedAsync(StageContext context, IReadOnlyList<Cluster.Models.DeploymentConfig> dcs, CancellationToken ct)
    {
        var current = dcs.ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
        bool AllObserved() => current.Values.All(d => RolloutState.NotObserved(d) is null);
        if (AllObserved())
        {
            return current;
        }

        using var limit = new CancellationTokenSource(context.Timeout < ObservationWait ? context.Timeout : ObservationWait, context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        var list = await context.Client.ListDeploymentConfigsAsync(ct);
        Keep(current, list.Items);
        if (AllObserved())
        {
            return current;
        }

        try
        {
            await foreach (var dc in context.Client.DeploymentConfigWatch().ChangesAsync(list.Metadata.ResourceVersion ?? "0", linked.Token))
            {
                Keep(current, [dc]);
                if (AllObserved())
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Not observed within the limit: judged as last seen (it then reads as not rolled out, naming the generation).
        }

        return current;
    }

    private static void Keep(Dictionary<string, Cluster.Models.DeploymentConfig> current, IEnumerable<Cluster.Models.DeploymentConfig> read)
    {
        foreach (var dc in read.Where(d => current.ContainsKey(d.Metadata.Name)))
        {
            current[dc.Metadata.Name] = dc;
        }
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
