using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Can this namespace be upgraded by this plan, by us, now? Reachability and permissions (SelfSubjectAccessReview),
/// a 3scale install at the plan's source release (or already at the target), not Oracle-backed unless an image
/// is given, every stream and DC the plan needs present, and every DC rolled out and available.
/// </summary>
public sealed class PreflightStage(StageContext context)
{
    private const string Stage = "preflight";

    /// <summary>Every (verb, group, resource) the chain of stages uses: what tekton/rbac's Role grants.</summary>
    public static readonly IReadOnlyList<(string Verb, string Group, string Resource)> RequiredPermissions =
    [
        ("get", "image.openshift.io", "imagestreams"), ("list", "image.openshift.io", "imagestreams"),
        ("watch", "image.openshift.io", "imagestreams"), ("patch", "image.openshift.io", "imagestreams"),
        ("get", "apps.openshift.io", "deploymentconfigs"), ("list", "apps.openshift.io", "deploymentconfigs"),
        ("watch", "apps.openshift.io", "deploymentconfigs"), ("patch", "apps.openshift.io", "deploymentconfigs"),
        ("list", string.Empty, "replicationcontrollers"), ("list", string.Empty, "pods"), ("watch", string.Empty, "pods"),
        ("get", string.Empty, "configmaps"), ("get", "build.openshift.io", "buildconfigs"),
        ("create", "apps.openshift.io", "deploymentconfigs/instantiate"),
    ];

    /// <summary>The namespace lock every mutating stage holds (<see cref="NamespaceLock"/>): create it, renew and delete the one named.</summary>
    public static readonly IReadOnlyList<(string Verb, string Resource, string? Name)> LockPermissions =
    [
        ("create", "configmaps", null), ("update", "configmaps", NamespaceLock.ConfigMapName), ("delete", "configmaps", NamespaceLock.ConfigMapName),
    ];

    /// <summary>What rebuilding an Oracle-backed system image needs on top (checked only for such an install).</summary>
    internal static readonly IReadOnlyList<(string Verb, string Group, string Resource)> OracleBuildPermissions =
    [
        ("patch", "build.openshift.io", "buildconfigs"), ("create", "build.openshift.io", "buildconfigs/instantiatebinary"),
        ("list", "build.openshift.io", "builds"), ("watch", "build.openshift.io", "builds"),
    ];

    /// <param name="lockHolder">
    /// This run's holder name: while another run's mutating stage holds the namespace lock, preflight waits for it
    /// (reading only, named in the log, up to --timeout) rather than judging an install that run is changing.
    /// </param>
    public async Task<ExitCode> RunAsync(string? systemImage, string? oracleClientDir, string? resultsDir, CancellationToken ct, string? lockHolder = null)
    {
        var problems = await ProblemsAsync(systemImage, oracleClientDir, resultsDir, ct, lockHolder);
        return problems.Count switch
        {
            0 => ExitCode.Success,
            1 => throw problems[0],
            _ => throw new UpgradeException(problems[0].ExitCode, $"{problems.Count} problems: " + string.Join("; ", problems.Select(p => p.Message))),
        };
    }

    /// <summary>Every problem preflight finds (empty when the upgrade can go ahead); reports and writes results on the way.</summary>
    public async Task<IReadOnlyList<UpgradeException>> ProblemsAsync(string? systemImage, string? oracleClientDir, string? resultsDir, CancellationToken ct, string? lockHolder = null)
    {
        var plan = context.Plan;
        var report = context.Reporter;
        report.Event(Stage, "start", $"checking namespace {context.Namespace} on {context.Client.Server} for the {plan.Source} → {plan.Target} upgrade");

        var missing = (await MissingAsync(RequiredPermissions, ct)).ToList();
        var locking = await Task.WhenAll(LockPermissions.Select(p => context.Client.CanIAsync(p.Verb, string.Empty, p.Resource, ct, p.Name)));
        missing.AddRange(LockPermissions.Where((_, i) => !locking[i]).Select(p => $"{p.Verb} {p.Resource}{(p.Name is null ? string.Empty : "/" + p.Name)}"));

        if (missing.Count > 0)
        {
            // Without these the rest cannot even be read: this is the only problem worth reporting.
            return [new UpgradeException(ExitCode.ClusterUnreachable,
                $"missing permissions in namespace {context.Namespace}: {string.Join(", ", missing)} — bind the Role in tekton/rbac to the service account")];
        }

        if (plan.PreHook is { } hookPermissions)
        {
            // update-prehook reads one secret (the Role grants it by resourceNames); a failed hook's log is read for the report.
            var missingHook = new List<string>();
            var secret = context.Client.CanIAsync("get", string.Empty, "secrets", ct, hookPermissions.Secret);
            var podLog = context.Client.CanIAsync("get", string.Empty, "pods/log", ct);
            if (!await secret)
            {
                missingHook.Add($"get secrets (name {hookPermissions.Secret})");
            }

            if (!await podLog)
            {
                missingHook.Add("get pods/log");
            }

            if (missingHook.Count > 0)
            {
                return [new UpgradeException(ExitCode.ClusterUnreachable,
                    $"missing permissions in namespace {context.Namespace}: {string.Join(", ", missingHook)} — bind the Role in tekton/rbac to the service account")];
            }
        }

        report.Event(Stage, "permissions", $"all {RequiredPermissions.Count + LockPermissions.Count + (plan.PreHook is null ? 0 : 2)} permissions the stages need are granted");
        if (lockHolder is not null)
        {
            await NamespaceLock.WaitUntilFreeAsync(context, Stage, lockHolder, ct);
        }

        var snapshot = await InstallSnapshot.ReadAsync(context, ct);
        var problems = new List<UpgradeException>();
        var alreadyUpgraded = snapshot.Release == plan.Target;
        if (InstallChecks.Release(snapshot, plan) is { } release)
        {
            problems.Add(release);
        }

        if (snapshot.Oracle && systemImage is null && !alreadyUpgraded)
        {
            // The standard amp-system patch would drop the Oracle client: the image is rebuilt in the cluster instead.
            problems.AddRange(await OracleProblemsAsync(oracleClientDir, ct));
        }

        if (plan.PreHook is { } hook && snapshot.DeploymentConfigs.GetValueOrDefault(hook.DeploymentConfig) is { } hookDc)
        {
            problems.AddRange(await PreHookProblemsAsync(hook, hookDc, ct));
        }

        var streams = InstallInspection.ApplicableStreams(plan, snapshot.DeploymentConfigNames);
        problems.AddRange(InstallChecks.Missing(snapshot, plan, context.Namespace));
        if (!alreadyUpgraded)
        {
            problems.AddRange(ManualTriggers(snapshot, streams));
        }

        problems.AddRange(await InstallChecks.NotRolledOutAsync(context, snapshot, new HashSet<string>(), ct));
        foreach (var scaled in plan.Verify.Where(v => !v.MustRun && snapshot.DeploymentConfigs.TryGetValue(v.DeploymentConfig, out var dc) && ScaledToZero.Is(dc)))
        {
            report.Event(Stage, "scaled-to-zero", $"{ScaledToZero.Note(scaled.DeploymentConfig)} by verify (mark it mustRun in a plan to require it to run)");
        }

        if (!snapshot.Oracle && !alreadyUpgraded)
        {
            foreach (var (stream, image) in InstallInspection.PinnedLatest(plan, snapshot.Streams))
            {
                // A hotfix pin, not an Oracle build (D14): the runbook's patch moves latest back onto the target tag.
                report.Event(Stage, "warning", $"{stream}:latest is pinned to {image}; the upgrade will replace it with ImageStreamTag {stream}:{plan.Target} (re-pin after the upgrade if the hotfix is still needed)");
            }
        }

        var optional = plan.ImageStreams.Where(s => s.Optional).SelectMany(s => s.Triggers).Where(snapshot.DeploymentConfigs.ContainsKey).ToList();
        report.Event(Stage, "install", $"release {snapshot.Release}; optional DeploymentConfigs present: {(optional.Count == 0 ? "none" : string.Join(", ", optional))}; oracle: {(snapshot.Oracle ? "yes" : "no")}");
        report.Event(Stage, "plan", $"image streams to patch, in order: {string.Join(", ", streams.Select(s => s.Name))}");
        TektonResults.Write(resultsDir, new Dictionary<string, string>
        {
            ["current-release"] = snapshot.Release ?? string.Empty,
            ["target-release"] = plan.Target,
            ["oracle"] = snapshot.Oracle ? "true" : "false",
            ["already-upgraded"] = alreadyUpgraded ? "true" : "false",
        });
        if (problems.Count == 0)
        {
            report.Event(Stage, "done", alreadyUpgraded
                ? $"already upgraded: {plan.Release.Env}={plan.Target}; nothing to do"
                : $"ready to upgrade {context.Namespace} from {plan.Source} to {plan.Target}");
        }

        return problems;
    }

    /// <summary>
    /// Every plan DC with a manual image trigger (automatic: false): the trigger controller skips it
    /// (UpdateDeploymentConfigImages), so the new image would never reach its template (review D9).
    /// </summary>
    private IEnumerable<UpgradeException> ManualTriggers(InstallSnapshot snapshot, IReadOnlyList<Plans.ImageStreamStep> streams) =>
        streams.SelectMany(s => s.Triggers).Concat(context.Plan.Verify.Select(v => v.DeploymentConfig)).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name => snapshot.DeploymentConfigs.GetValueOrDefault(name))
            .Where(dc => dc is not null && TriggeredImages.ManualContainers(dc).Count > 0)
            .Select(dc => new UpgradeException(ExitCode.WrongClusterState,
                $"DeploymentConfig {dc!.Metadata.Name} has a manual image trigger (automatic: false): the upgrade would never roll it out; run `oc set triggers dc/{dc.Metadata.Name} --auto`"));

    private async Task<IReadOnlyList<UpgradeException>> OracleProblemsAsync(string? oracleClientDir, CancellationToken ct)
    {
        var missing = await MissingAsync(OracleBuildPermissions, ct);
        if (missing.Count > 0)
        {
            return [new UpgradeException(ExitCode.ClusterUnreachable,
                $"missing permissions in namespace {context.Namespace} to rebuild this Oracle-backed install's system image in the cluster: {string.Join(", ", missing)} — bind the Role in tekton/rbac to the service account")];
        }

        var (action, build, problem) = await new OracleSystemBuild(context, Stage).AssessAsync(oracleClientDir, false, ct);
        if (problem is not null)
        {
            return [new UpgradeException(problem.ExitCode,
                $"this 3scale install uses an Oracle database (BuildConfig {context.Plan.Oracle.BuildConfig} builds {context.Plan.Oracle.ImageStream}:latest; runbook \"Upgrading 3scale with Oracle Database\"): {problem.Message}")];
        }

        context.Reporter.Event(Stage, "oracle", action switch
        {
            Rules.OracleBuildAction.Done => $"Oracle system image already built on {context.Plan.Target} by {build!.Metadata.Name}",
            Rules.OracleBuildAction.Follow => $"Oracle system build {build!.Metadata.Name} is running; patch-imagestreams will follow it",
            _ => $"Oracle-backed: patch-imagestreams will rebuild {context.Plan.Oracle.ImageStream} with the client files in {oracleClientDir}",
        });
        return [];
    }

    /// <summary>Step 2.2: the token is there and not empty, and the hook is the source's or the target's command.</summary>
    private async Task<IReadOnlyList<UpgradeException>> PreHookProblemsAsync(Plans.PreHookSetting hook, Cluster.Models.DeploymentConfig dc, CancellationToken ct)
    {
        string token;
        try
        {
            token = await PreHookToken.ReadAsync(context, hook, ct);
        }
        catch (UpgradeException e)
        {
            return [e];
        }

        var plan = context.Plan;
        var current = PreHookCommand.Current(dc);
        var source = PreHookCommand.Render(hook.Source, hook, token);
        var target = PreHookCommand.Render(hook.Target, hook, token);
        switch (PreHookCommand.Classify(current, source, target))
        {
            case PreHookState.Missing:
                return [new UpgradeException(ExitCode.WrongClusterState,
                    $"{hook.DeploymentConfig} has no execNewPod pre hook in spec.strategy: restore it from the {plan.Target} template, then rerun")];
            case PreHookState.Customised:
                context.Reporter.Event(Stage, "warning",
                    $"{hook.DeploymentConfig}'s pre hook command is customised ({PreHookCommand.Difference(current!, source, hook)}): update-prehook will refuse it; merge your change into the {plan.Target} command, or run `ciupgrade update-prehook --force`");
                break;
            case PreHookState.Source:
                context.Reporter.Event(Stage, "prehook", $"{hook.DeploymentConfig}'s pre hook is the {plan.Source} command; update-prehook sets the {plan.Target} migration ({hook.Key} from secret {hook.Secret}, present)");
                break;
            default:
                context.Reporter.Event(Stage, "prehook", $"{hook.DeploymentConfig}'s pre hook is already the {plan.Target} command");
                break;
        }

        return [];
    }

    /// <summary>
    /// The permissions the SelfSubjectAccessReviews deny, as "verb resource.group", in the order asked. The reviews are
    /// sent at once (HTTP/2 carries them on one connection): independent questions, no reason to wait for each answer.
    /// </summary>
    private async Task<IReadOnlyList<string>> MissingAsync(IReadOnlyList<(string Verb, string Group, string Resource)> permissions, CancellationToken ct)
    {
        var allowed = await Task.WhenAll(permissions.Select(p => context.Client.CanIAsync(p.Verb, p.Group, p.Resource, ct)));
        return permissions.Where((_, i) => !allowed[i]).Select(p => $"{p.Verb} {p.Resource}{(p.Group.Length == 0 ? string.Empty : "." + p.Group)}").ToList();
    }
}
