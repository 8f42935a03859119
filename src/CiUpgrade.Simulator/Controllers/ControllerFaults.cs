using System.Collections.Concurrent;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>Fault knobs for tests, settable while the controllers run. All thread-safe.</summary>
public sealed class ControllerFaults
{
    private readonly ConcurrentDictionary<string, ImportFailure> _importFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _pinnedDigests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodFailure> _stuckDeploymentConfigs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _slowDeploymentConfigs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BuildFailure> _failingBuildConfigs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HookFailure> _failingHooks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _crashingControllers = new(StringComparer.Ordinal);
    private int _killLoop;

    /// <summary>Raised when a knob that needs a controller pass is set (the manager wakes up).</summary>
    public event Action? Changed;

    /// <summary>Imports of this pull spec fail with an ImportSuccess=False condition (reason Unauthorized by default).</summary>
    public void FailImport(string pullSpec, string reason = "Unauthorized", string? message = null) =>
        _importFailures[pullSpec] = new ImportFailure(reason, message ?? (reason == "NotFound"
            ? $"dockerimage.image.openshift.io \"{pullSpec}\" not found"
            : $"you may not have access to the container image \"{pullSpec}\""));

    public void ClearImportFailure(string pullSpec) => _importFailures.TryRemove(pullSpec, out _);

    public ImportFailure? ImportFailureFor(string pullSpec) => _importFailures.GetValueOrDefault(pullSpec);

    /// <summary>The digest (64 hex) an import of this pull spec yields, instead of the one derived from the pull spec.</summary>
    public void PinDigest(string pullSpec, string digestHex) => _pinnedDigests[pullSpec] = digestHex;

    public string? PinnedDigest(string pullSpec) => _pinnedDigests.GetValueOrDefault(pullSpec);

    /// <summary>New pods of this DC never become ready; they wait with <paramref name="reason"/> (ImagePullBackOff or CrashLoopBackOff).</summary>
    public void StickDeploymentConfig(string ns, string name, string reason = "ImagePullBackOff") =>
        _stuckDeploymentConfigs[ns + "/" + name] = new PodFailure(reason);

    public void UnstickDeploymentConfig(string ns, string name) => _stuckDeploymentConfigs.TryRemove(ns + "/" + name, out _);

    public PodFailure? PodFailureFor(string ns, string name) => _stuckDeploymentConfigs.GetValueOrDefault(ns + "/" + name);

    /// <summary>Every deployer step of this DC takes at least <paramref name="extra"/> longer.</summary>
    public void SlowDeploymentConfig(string ns, string name, TimeSpan extra) => _slowDeploymentConfigs[ns + "/" + name] = extra;

    public TimeSpan ExtraDelayFor(string ns, string name) => _slowDeploymentConfigs.GetValueOrDefault(ns + "/" + name);

    /// <summary>
    /// Builds of this BuildConfig end in <paramref name="phase"/> instead of Complete; the default reason and message
    /// are the Docker strategy's (openshift/api build/v1 types.go: StatusReasonDockerBuildFailed).
    /// </summary>
    public void FailBuild(string ns, string buildConfig, string phase = "Failed", string reason = "DockerBuildFailed", string message = "Docker build strategy has failed.") =>
        _failingBuildConfigs[ns + "/" + buildConfig] = new BuildFailure(phase, reason, message);

    public void ClearBuildFailure(string ns, string buildConfig) => _failingBuildConfigs.TryRemove(ns + "/" + buildConfig, out _);

    public BuildFailure? BuildFailureFor(string ns, string buildConfig) => _failingBuildConfigs.GetValueOrDefault(ns + "/" + buildConfig);

    /// <summary>
    /// The pre hook container of this DC's rollouts exits with <paramref name="exitCode"/> and logs <paramref name="log"/>
    /// (default: a rake failure), on every run until cleared: under failurePolicy Retry it keeps being restarted.
    /// </summary>
    public void FailHook(string ns, string deploymentConfig, int exitCode = 1, IReadOnlyList<string>? log = null) =>
        _failingHooks[ns + "/" + deploymentConfig] = new HookFailure(exitCode, log ??
        [
            "rake aborted!",
            "ActiveRecord::StatementInvalid: Mysql2::Error: Table 'system.services' doesn't exist",
            "Tasks: TOP => services:create_backend_apis",
            "(See full trace by running task with --trace)",
        ]);

    public void ClearHookFailure(string ns, string deploymentConfig) => _failingHooks.TryRemove(ns + "/" + deploymentConfig, out _);

    public HookFailure? HookFailureFor(string ns, string deploymentConfig) => _failingHooks.GetValueOrDefault(ns + "/" + deploymentConfig);

    /// <summary>
    /// The controller named <paramref name="controller"/> (serviceaccount, imageimport, imagetrigger, deploymentconfig,
    /// deployer, replication, build) throws on its next <paramref name="times"/> passes; the manager logs and restarts it.
    /// </summary>
    public void CrashController(string controller, int times = 1)
    {
        _crashingControllers[controller] = times;
        Changed?.Invoke();
    }

    internal bool TakeCrash(string controller) =>
        _crashingControllers.TryGetValue(controller, out var left) && left > 0 && _crashingControllers.TryUpdate(controller, left - 1, left);

    /// <summary>The controller loop itself dies at its next turn: from then on every API request is a 500 saying so.</summary>
    public void KillControllerLoop()
    {
        Interlocked.Exchange(ref _killLoop, 1);
        Changed?.Invoke();
    }

    internal bool TakeLoopKill() => Interlocked.Exchange(ref _killLoop, 0) == 1;

    /// <summary>Wakes the controllers, so a knob just cleared (an unstuck DC, a fixed registry) takes effect now.</summary>
    public void NotifyChanged() => Changed?.Invoke();

    /// <summary>Every knob back to normal.</summary>
    public void ClearAll()
    {
        _importFailures.Clear();
        _pinnedDigests.Clear();
        _stuckDeploymentConfigs.Clear();
        _slowDeploymentConfigs.Clear();
        _failingBuildConfigs.Clear();
        _failingHooks.Clear();
        _crashingControllers.Clear();
        Interlocked.Exchange(ref _killLoop, 0);
        Changed?.Invoke();
    }
}
