using System.Globalization;
using CiUpgrade.Cluster;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// Waits, watching DeploymentConfigs (not polling), until every given DC has rolled out the version its
/// expectation describes; prints a progress line per DC at most every few seconds; fails fast on a failed
/// rollout and at the timeout with the reason read from the new pods (exit 5). What it reports is always the
/// cluster's state read anew, never a watch's failure: success only when every DC was judged complete.
/// </summary>
public sealed class RolloutWaiter(StageContext context, string stage)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(3);
    private readonly Dictionary<string, (DateTimeOffset At, string Message)> _lastProgress = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _podReasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RolloutVerdict> _verdicts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _retried = new(StringComparer.Ordinal);
    private readonly ResourceWatch<DeploymentConfig> _watch = context.Client.DeploymentConfigWatch();

    // The pods of the pending DCs, watched for why a rollout is stuck; how far it has read bounds the wait for a
    // failure's reason (see PodWatchPassedAsync).
    private static readonly TimeSpan PodWatchCatchUpLimit = TimeSpan.FromSeconds(10);
    private ResourceWatch<V1Pod>? _podWatch;

    public async Task WaitAsync(IReadOnlyDictionary<string, RolloutExpectation> expectations, CancellationToken ct)
    {
        if (expectations.Count == 0)
        {
            return;
        }

        var started = context.Time.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(context.Timeout);
        var pending = new HashSet<string>(expectations.Keys, StringComparer.Ordinal);
        try
        {
            var list = await context.Client.ListDeploymentConfigsAsync(timeout.Token);
            foreach (var name in pending.Where(n => list.Items.All(d => d.Metadata.Name != n)).ToList())
            {
                throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {name} not found in namespace {context.Namespace}");
            }

            foreach (var dc in list.Items.Where(d => pending.Contains(d.Metadata.Name)))
            {
                await JudgeAsync(dc, expectations[dc.Metadata.Name], pending, started, true, timeout.Token);
            }

            if (pending.Count == 0)
            {
                return;
            }

            // Pod states change without any DC event: watch the pods of these DCs for the reason a rollout is stuck.
            using var podWatch = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            _podWatch = context.Client.PodWatch($"deploymentconfig in ({string.Join(",", pending)})");
            var pods = WatchPodReasonsAsync(_podWatch, podWatch.Token);
            try
            {
                await WatchRolloutsAsync(list.Metadata.ResourceVersion ?? "0", expectations, pending, started, timeout.Token);
                if (pending.Count > 0)
                {
                    // The watch ended with DCs pending: never success (D15). At the timeout that is the timeout;
                    // otherwise the watch itself gave up, which says nothing about the rollouts.
                    timeout.Token.ThrowIfCancellationRequested();
                    throw new UpgradeException(ExitCode.ClusterUnreachable,
                        $"watching deploymentconfigs in {context.Namespace} ended while {string.Join(", ", pending.Order(StringComparer.Ordinal))} had not rolled out{ImageStreamTagger.WatchNote(_watch.LastFailure)}; rerun `ciupgrade wait-rollouts`");
                }
            }
            finally
            {
                await podWatch.CancelAsync();
                await pods;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // The verdict comes from the cluster as it is now: a rollout the (possibly failing) watch missed counts.
            var now = await context.Client.ListDeploymentConfigsAsync(ct);
            foreach (var dc in now.Items.Where(d => pending.Contains(d.Metadata.Name)))
            {
                await JudgeAsync(dc, expectations[dc.Metadata.Name], pending, started, false, ct);
            }

            if (pending.Count == 0)
            {
                return;
            }

            // Pod states change without a DC event: read them once more, so the message says why now.
            // On a busy machine the timeout can end the wait before the first judgement: read the version then.
            foreach (var name in pending)
            {
                var version = _verdicts.TryGetValue(name, out var verdict) ? verdict.Version : (await context.Client.GetDeploymentConfigAsync(name, ct))?.Status?.LatestVersion;
                if (version is { } v && await PodReasonAsync(name, v, ct) is { } reason)
                {
                    _podReasons[name] = reason;
                }
            }

            foreach (var name in pending.Where(_verdicts.ContainsKey))
            {
                if (await new PreHookReport(context).FailureAsync(name, _verdicts[name].Version, true, ct) is { } hook)
                {
                    _podReasons[name] = hook;
                }
            }

            var stuck = string.Join("; ", pending.Order(StringComparer.Ordinal).Select(n =>
                $"{n}: {(_verdicts.TryGetValue(n, out var v) ? v.Message : "no status seen")}{(_podReasons.TryGetValue(n, out var r) ? " — " + r : string.Empty)}"));
            throw new UpgradeException(ExitCode.RolloutFailed,
                $"timed out after {Format(context.Timeout)} waiting for rollouts: {stuck}{ImageStreamTagger.WatchNote(_watch.LastFailure)}. Check the pods (oc get pods -n {context.Namespace}), fix the cause and rerun `ciupgrade wait-rollouts`");
        }
    }

    private async Task WatchRolloutsAsync(string resourceVersion, IReadOnlyDictionary<string, RolloutExpectation> expectations,
        HashSet<string> pending, DateTimeOffset started, CancellationToken ct)
    {
        await foreach (var dc in _watch.ChangesAsync(resourceVersion, ct))
        {
            if (pending.Contains(dc.Metadata.Name))
            {
                await JudgeAsync(dc, expectations[dc.Metadata.Name], pending, started, false, ct);
                if (pending.Count == 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Remembers, per DC, the newest waiting reason its pods show (ImagePullBackOff, CrashLoopBackOff...).</summary>
    private async Task WatchPodReasonsAsync(ResourceWatch<V1Pod> watch, CancellationToken ct)
    {
        try
        {
            await foreach (var pod in watch.ChangesAsync("0", ct))
            {
                if (pod.Metadata.Labels?.TryGetValue("deploymentconfig", out var dc) == true && RolloutState.PodFailureReason([pod]) is { } reason)
                {
                    _podReasons[dc] = reason;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Waits (at most <see cref="PodWatchCatchUpLimit"/>) until the pod watch has delivered past
    /// <paramref name="resourceVersion"/> (<see cref="ResourceWatch{T}.DeliveredPastAsync"/>; at once when it does not
    /// run). A failed deployment's pods are deleted right after it fails (the DC controller scales it to zero), so their
    /// waiting reason may only be known from the watch, which runs on its own stream and can lag behind the DC watch
    /// that saw the failure; the deletions always come after the failure and carry the pods' last state. At worst the
    /// wait ends at the limit and the message goes without a reason.
    /// </summary>
    private async Task PodWatchPassedAsync(string? resourceVersion, CancellationToken ct)
    {
        if (_podWatch is null)
        {
            return;
        }

        try
        {
            await _podWatch.DeliveredPastAsync(resourceVersion, ct).WaitAsync(PodWatchCatchUpLimit, context.Time, ct);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <param name="initial">The state found when the wait began: a failure then is one an earlier run left, which a rerun retries.</param>
    private async Task JudgeAsync(DeploymentConfig dc, RolloutExpectation expectation, HashSet<string> pending, DateTimeOffset started, bool initial, CancellationToken ct)
    {
        var name = dc.Metadata.Name;
        var rcs = await context.Client.ListReplicationControllersAsync(name, ct);
        var verdict = RolloutState.Evaluate(dc, rcs, expectation);
        _verdicts[name] = verdict;
        switch (verdict.Phase)
        {
            case RolloutPhase.Complete:
                pending.Remove(name);
                context.Reporter.Event(stage, "rolledOut", verdict.Desired == 0
                    ? $"{name}: version {verdict.Version} rolled out, scaled to zero: nothing runs"
                    : $"{name}: version {verdict.Version} rolled out, {verdict.Ready}/{verdict.Desired} ready",
                    Fields(name, verdict, started));
                break;
            case RolloutPhase.Failed when verdict.ManualTrigger:
                throw new UpgradeException(ExitCode.WrongClusterState, $"DeploymentConfig {name} cannot roll out the expected image: {verdict.Message}");
            case RolloutPhase.Failed when verdict.FailedDeployment is { } failedRc && initial && context.RetryFailures && _retried.Add(name):
                // OpenShift never retries a failed deployment by itself (review D7): start a new version as `oc rollout latest` does.
                var again = await context.Client.InstantiateLatestAsync(name, ct);
                context.Reporter.Event(stage, "retry",
                    $"{name}: latest deployment {failedRc} had failed; retrying it as `oc rollout latest dc/{name}` does (version {again.Status.LatestVersion})",
                    Fields(name, verdict, started));
                break;
            case RolloutPhase.Failed:
                var reason = await CauseAsync(name, verdict, rcs.FirstOrDefault(r => r.Metadata.Name == verdict.FailedDeployment)?.Metadata.ResourceVersion, ct);
                var next = verdict.FailedDeployment is null ? "Fix the cause, then rerun the stage (it resumes where it stopped)"
                    : context.RetryFailures ? $"Fix the cause, then rerun the stage: it retries the failed deployment as `oc rollout latest dc/{name}` does"
                    : $"Fix the cause, then run `oc rollout latest dc/{name}` (or rerun the stage without --no-retry)";
                throw new UpgradeException(ExitCode.RolloutFailed,
                    $"rollout of DeploymentConfig {name} failed: {verdict.Message}{(reason is null ? string.Empty : " — " + reason)}. {next}");
            default:
                if (verdict.RcPhase is "Running" or "Pending" && verdict.Ready < verdict.Desired && await PodReasonAsync(name, verdict.Version, ct) is { } podReason)
                {
                    _podReasons[name] = podReason;
                }
                else if (verdict.RcPhase is "Running" && verdict.Ready == 0 && await new PreHookReport(context).FailureAsync(name, verdict.Version, false, ct) is { } hookReason
                    && _podReasons.GetValueOrDefault(name) != hookReason)
                {
                    // A hook under failurePolicy Retry keeps being restarted: show each new failure while waiting.
                    _podReasons[name] = hookReason;
                    context.Reporter.Event(stage, "hook", $"{name}: {hookReason}", new Dictionary<string, string> { ["deploymentConfig"] = name });
                }

                var now = context.Time.GetUtcNow();
                if (!_lastProgress.TryGetValue(name, out var last) || now - last.At >= ProgressInterval || last.Message != verdict.Message)
                {
                    _lastProgress[name] = (now, verdict.Message);
                    context.Reporter.Event(stage, "progress",
                        $"{name}: version {verdict.Version}, {verdict.Ready}/{verdict.Desired} ready, phase {verdict.RcPhase}, {verdict.Message}, {Format(now - started)} elapsed",
                        Fields(name, verdict, started));
                }

                break;
        }
    }

    /// <summary>Why the latest deployment failed: a failed hook pod (with its logs to read), else the new pods' waiting reason.</summary>
    private async Task<string?> CauseAsync(string name, RolloutVerdict verdict, string? failedAt, CancellationToken ct)
    {
        // A failed pre hook of the latest version: its reason, last exit and the end of its log (bounded).
        if (await new PreHookReport(context).FailureAsync(name, verdict.Version, true, ct) is { } hookReport)
        {
            return hookReport;
        }

        if (verdict.FailedDeployment is { } rc)
        {
            var deployerPods = await context.Client.ListPodsAsync($"openshift.io/deployer-pod-for.name={rc}", ct);
            if (RolloutState.HookFailureReason(deployerPods) is { } hook)
            {
                return hook;
            }
        }

        if (await PodReasonAsync(name, verdict.Version, ct) is { } podReason)
        {
            return podReason;
        }

        if (!_podReasons.ContainsKey(name))
        {
            await PodWatchPassedAsync(failedAt, ct);
        }

        return _podReasons.GetValueOrDefault(name);
    }

    private async Task<string?> PodReasonAsync(string dc, long version, CancellationToken ct)
    {
        var pods = await context.Client.ListPodsAsync($"deployment={dc}-{version.ToString(CultureInfo.InvariantCulture)}", ct);
        return RolloutState.PodFailureReason(pods);
    }

    private Dictionary<string, string> Fields(string name, RolloutVerdict v, DateTimeOffset started) => new()
    {
        ["deploymentConfig"] = name,
        ["version"] = v.Version.ToString(CultureInfo.InvariantCulture),
        ["ready"] = v.Ready.ToString(CultureInfo.InvariantCulture),
        ["desired"] = v.Desired.ToString(CultureInfo.InvariantCulture),
        ["phase"] = v.RcPhase,
        ["elapsedSeconds"] = ((int)(context.Time.GetUtcNow() - started).TotalSeconds).ToString(CultureInfo.InvariantCulture),
    };

    private static string Format(TimeSpan t) => DurationText.Format(t);
}
