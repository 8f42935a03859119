using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Storage;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// Runs the simulated openshift-controller-manager: image import, image-change trigger, DC controller,
/// deployer and replication manager, as passes over the store. A pass runs after every store change and,
/// while work waits on time (imports, pods getting ready, rollouts), every <see cref="ControllerTiming.StepDelay"/>.
/// </summary>
public sealed class ControllerManager : IAsyncDisposable
{
    private readonly ResourceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ControllerTiming _timing;
    private readonly IReadOnlyList<IController> _controllers;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _idleLock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private TaskCompletionSource _idleSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _idleAtResourceVersion = -1;
    private long _pumpedResourceVersion;
    private long _startResourceVersion;
    private Task? _loop;

    public ControllerManager(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, TimeProvider? time = null)
    {
        _registry = registry;
        _timing = timing;
        _time = time ?? TimeProvider.System;
        _controllers = Create(registry, timing, faults, _time, Uploads, HookRuns, PodLogs);
    }

    /// <summary>What each binary build was sent.</summary>
    public BinaryUploads Uploads { get; } = new();

    /// <summary>Every hook container run (image, command, exit code).</summary>
    public HookRuns HookRuns { get; } = new();

    /// <summary>What pods/{name}/log serves.</summary>
    public PodLogs PodLogs { get; } = new();

    /// <summary>The last error a pass hit (passes retry; surfaced for tests and diagnostics).</summary>
    public Exception? LastError { get; private set; }

    public void Start()
    {
        if (_loop is not null)
        {
            return;
        }

        _startResourceVersion = _registry.Store.CurrentResourceVersion;
        var events = _registry.Store.Watch(null, null, null, _stop.Token);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in events.ReadAllAsync(_stop.Token))
                {
                    // Only namespaces that changed get a pass, so a cluster with many idle installs stays cheap.
                    _dirty[e.Namespace] = 0;
                    Interlocked.Exchange(ref _pumpedResourceVersion, e.ResourceVersion);
                    Wake();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>Completes once a pass found nothing to do, nothing waiting on time, and the store has not changed since.</summary>
    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_idleLock)
            {
                if (_loop is null || _idleAtResourceVersion == _registry.Store.CurrentResourceVersion)
                {
                    return;
                }

                signal = _idleSignal.Task;
            }

            Wake();
            await signal.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// POST deploymentconfigs/{name}/instantiate (openshift-apiserver pkg/apps/apiserver/registry/instantiate/rest.go):
    /// latest=true resolves every image trigger (automatic or not); force gives cause Manual; latestVersion + 1.
    /// </summary>
    public JsonObject Instantiate(string ns, string name, JsonObject deploymentRequest)
    {
        var streams = _registry.Store.List("imagestreams", ns).Items.ToDictionary(s => s.Namespace() + "/" + s.Name(), StringComparer.Ordinal);
        var latest = deploymentRequest.Bool("latest");
        var force = deploymentRequest.Bool("force");
        var updated = _registry.Modify("deploymentconfigs", ns, name, dc =>
        {
            if (dc["spec"].Bool("paused"))
            {
                throw new InvalidObjectException(_registry.StrategyFor("deploymentconfigs").Type, name,
                    [new FieldError("spec.paused", "FieldValueInvalid", $"Invalid value: true: deployment config \"{name}\" is paused - unpause to request a new deployment")]);
            }

            if (latest)
            {
                foreach (var trigger in dc["spec"]?["triggers"].Objects() ?? [])
                {
                    if (trigger["imageChangeParams"] is JsonObject p)
                    {
                        var forced = p.Clone();
                        forced["automatic"] = true;
                        var single = dc.Clone();
                        single.Obj("spec")["triggers"] = new JsonArray(new JsonObject { ["type"] = "ImageChange", ["imageChangeParams"] = forced });
                        ImageTriggerController.Apply(single, streams);
                        var applied = single["spec"]!["triggers"]![0]!["imageChangeParams"]!;
                        p["lastTriggeredImage"] = applied["lastTriggeredImage"]?.DeepClone();
                        dc.Obj("spec")["template"] = single["spec"]!["template"]!.DeepClone();
                    }
                }
            }

            if (dc["spec"]?["triggers"].Objects().Any(t => t.Str("type") == "ImageChange" && string.IsNullOrEmpty(t["imageChangeParams"].Str("lastTriggeredImage"))) == true)
            {
                throw new BadRequestException($"cannot trigger a deployment for \"{name}\" because it contains unresolved images");
            }

            dc.Obj("status")["latestVersion"] = dc["status"].Long("latestVersion") + 1;
            return dc;
        }) ?? throw new StoreException(StoreError.NotFound, $"deploymentconfigs.apps.openshift.io \"{name}\" not found");

        var details = force
            ? new JsonObject { ["message"] = "manual change", ["causes"] = new JsonArray(new JsonObject { ["type"] = "Manual" }) }
            : new JsonObject { ["message"] = "image change", ["causes"] = new JsonArray(new JsonObject { ["type"] = "ImageChange" }) };
        return _registry.Modify("deploymentconfigs", ns, name, dc =>
        {
            // A fresh copy on every call: Modify calls this again after a conflict, and a node can have only one parent.
            dc.Obj("status")["details"] = details.DeepClone();
            return dc;
        }, status: true) ?? updated;
    }

    /// <summary>
    /// POST buildconfigs/{name}/instantiatebinary (openshift-apiserver pkg/build/apiserver/registry/buildconfiginstantiate/rest.go,
    /// binaryInstantiateHandler): generate the Build, waiting while its base ImageStreamTag has no image; wait until the
    /// build runs; stream the archive to it; answer with the running Build. A build that ends before it runs is a 400.
    /// </summary>
    public async Task<JsonObject> InstantiateBinaryAsync(string ns, string name, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        limit.CancelAfter(_timing.ProgressDeadline);
        JsonObject? build = null;
        await WaitUntilAsync(ns, () => (build = BuildGenerator.Generate(_registry, ns, name, "Manually triggered")) is not null, limit.Token);
        var buildName = build!.Name();
        string? phase = null;
        await WaitUntilAsync(ns, () => (phase = _registry.Store.Get("builds", ns, buildName)?["status"].Str("phase")) is not ("New" or "Pending"), limit.Token);
        var current = _registry.Store.Get("builds", ns, buildName)!;
        var reason = current["status"].Str("reason");
        var message = current["status"].Str("message");
        switch (phase)
        {
            case "Running":
                Uploads.Record(ns, buildName, files);
                Wake();
                return current;
            case "Failed":
                throw new BadRequestException($"build {buildName} failed: {reason}: {message}");
            case "Error":
                throw new BadRequestException($"build {buildName} encountered an error: no logs are available");
            case "Cancelled":
                throw new BadRequestException($"build {buildName} was cancelled: no logs are available");
            default:
                throw new BadRequestException($"cannot upload file to build {buildName} with status {phase}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var before = _registry.Store.CurrentResourceVersion;
            var namespaces = new HashSet<string>(_waiting, StringComparer.Ordinal);
            foreach (var ns in _dirty.Keys)
            {
                _dirty.TryRemove(ns, out _);
                namespaces.Add(ns);
            }

            var busy = false;
            foreach (var ns in namespaces.Where(n => n.Length > 0))
            {
                var result = RunPass(ns);
                busy |= result.Changed || result.Pending;
                if (result.Pending)
                {
                    _waiting.Add(ns);
                }
                else
                {
                    _waiting.Remove(ns);
                }
            }

            // Idle only once every change up to now has reached the dirty set (the event pump runs apart).
            var allSeen = Interlocked.Read(ref _pumpedResourceVersion) >= before || before == _startResourceVersion;
            if (!busy && allSeen && _waiting.Count == 0 && _dirty.IsEmpty && _registry.Store.CurrentResourceVersion == before)
            {
                MarkIdle(before);
                await WaitForWorkAsync(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            else
            {
                await WaitForWorkAsync(_timing.StepDelay, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Runs the controllers with no delays over one namespace until nothing changes: how a seeded
    /// namespace reaches the state of a healthy install through the same rules a live rollout follows.
    /// </summary>
    public static void Settle(ResourceRegistry registry, string ns, BinaryUploads? uploads = null, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        var instant = new ControllerTiming(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
        var faults = new ControllerFaults();
        var controllers = Create(registry, instant, faults, clock, uploads ?? new BinaryUploads(), new HookRuns(), new PodLogs());
        for (var pass = 0; pass < 500; pass++)
        {
            var result = default(PassResult);
            lock (registry.ControllerLock)
            {
                foreach (var controller in controllers)
                {
                    result |= controller.Reconcile(clock.GetUtcNow(), ns);
                }
            }

            if (!result.Changed && !result.Pending)
            {
                return;
            }
        }

        throw new InvalidOperationException($"namespace {ns} did not settle");
    }

    /// <summary>The controllers, in the order one pass runs them.</summary>
    private static IReadOnlyList<IController> Create(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, TimeProvider time, BinaryUploads uploads,
        HookRuns hookRuns, PodLogs podLogs) =>
    [
        new ServiceAccountController(registry),
        new ImageImportController(registry, timing, faults),
        new ImageTriggerController(registry),
        new DeploymentConfigController(registry, time),
        new DeployerController(registry, timing, faults, new PreHookRunner(registry, timing, faults, hookRuns, podLogs)),
        new ReplicationManager(registry, timing, faults),
        new BuildController(registry, timing, faults, uploads),
    ];

    private PassResult RunPass(string ns)
    {
        lock (_registry.ControllerLock)
        {
            return RunPassLocked(ns);
        }
    }

    private PassResult RunPassLocked(string ns)
    {
        var result = default(PassResult);
        var now = _time.GetUtcNow();
        foreach (var controller in _controllers)
        {
            try
            {
                result |= controller.Reconcile(now, ns);
            }
            catch (Exception e) when (e is StoreException or InvalidObjectException or InvalidOperationException or KeyNotFoundException)
            {
                // A concurrent write or delete raced this pass: the next pass sees the new state and retries.
                LastError = e;
                result |= new PassResult(false, true);
            }
        }

        return result;
    }

    /// <summary>Re-evaluates <paramref name="condition"/> after every change in the namespace until it holds.</summary>
    private async Task WaitUntilAsync(string ns, Func<bool> condition, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var changes = _registry.Store.Watch(null, ns, null, stop.Token);
        try
        {
            while (!condition())
            {
                Wake();
                await changes.ReadAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            throw new Api.ApiError(504, "Timeout", "timed out waiting for the build to start");
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    /// <summary>Starts a pass now (at most one wake-up is ever pending).</summary>
    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _wake.WaitAsync(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void MarkIdle(long resourceVersion)
    {
        lock (_idleLock)
        {
            _idleAtResourceVersion = resourceVersion;
            var signal = _idleSignal;
            _idleSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal.TrySetResult();
        }
    }
}
