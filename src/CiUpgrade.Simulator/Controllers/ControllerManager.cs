using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Auth;
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
    private readonly ControllerFaults _faults;
    private readonly Action<string> _log;
    private readonly Func<IController>[] _factories;
    private readonly IController[] _controllers;
    private readonly string[] _names;
    private readonly int[] _failuresInARow;
    private readonly int[] _racesInARow;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _idleLock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);
    private TaskCompletionSource _idleSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _idleAtResourceVersion = -1;
    private long _pumpedResourceVersion;
    private long _startResourceVersion;
    private int _restarts;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _busyTicks;
    private Task? _loop;

    public ControllerManager(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, TimeProvider? time = null, Action<string>? log = null,
        ServiceAccountTokens? tokens = null, ServerVersion? version = null, Containers.Workloads? workloads = null)
    {
        _registry = registry;
        _timing = timing;
        _faults = faults;
        _log = log ?? (line => Console.Error.WriteLine(line));
        _time = time ?? TimeProvider.System;
        _factories = Factories(registry, timing, faults, _time, Uploads, HookRuns, PodLogs, tokens ?? new ServiceAccountTokens(RandomNumberGenerator.GetBytes(32)), version ?? ServerVersion.OpenShift311, workloads);
        _controllers = _factories.Select(f => f()).ToArray();
        _names = _controllers.Select(NameOf).ToArray();
        _failuresInARow = new int[_controllers.Length];
        _racesInARow = new int[_controllers.Length];
        faults.Changed += Wake;
    }

    /// <summary>Names of the controllers, as the crash-controller fault knob takes them.</summary>
    public static IReadOnlyList<string> ControllerNames { get; } =
        Factories(new ResourceRegistry(new ObjectStore(), []), ControllerTiming.Fast, new ControllerFaults(), TimeProvider.System, new BinaryUploads(), new HookRuns(), new PodLogs(),
            new ServiceAccountTokens([]), ServerVersion.OpenShift311).Select(f => NameOf(f())).ToList();

    /// <summary>How many times a controller that threw was replaced by a fresh one.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Why the controller loop stopped for good (null while it runs): every API request then fails with 500.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>What each binary build was sent.</summary>
    public BinaryUploads Uploads { get; } = new();

    /// <summary>Every hook container run (image, command, exit code).</summary>
    public HookRuns HookRuns { get; } = new();

    /// <summary>What pods/{name}/log serves.</summary>
    public PodLogs PodLogs { get; } = new();

    /// <summary>
    /// How long the controllers have had work waiting on their own clock (imports, deployer steps, pods getting
    /// ready): the time an upgrade spends waiting for the simulated cluster itself, whatever the client does.
    /// </summary>
    public TimeSpan BusyTime => _time.GetElapsedTime(0, Interlocked.Read(ref _busyTicks));

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

                // The feed ended without being stopped: nothing would wake the controllers again, so the cluster
                // would freeze without a word. Say so on every request instead.
                throw new InvalidOperationException("the store's event feed to the controllers ended");
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                Die(e);
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
                if (Failure is { } failure)
                {
                    throw new InvalidOperationException(DeadMessage(failure), failure);
                }

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
    /// build runs; stream the request body to it (the real handler attaches it to the build pod's stdin); answer with
    /// the running Build. A build that ends before it runs is a 400. When the upload does not complete (the client
    /// went away mid-body, or while the build was starting), the handler's deferred cancelBuild sets
    /// status.cancelled, and the build controller ends the build Cancelled (<see cref="BuildController"/>).
    /// </summary>
    public async Task<JsonObject> InstantiateBinaryAsync(string ns, string name, Stream body, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        limit.CancelAfter(_timing.ProgressDeadline);
        JsonObject? build = null;
        await WaitUntilAsync(ns, () => (build = BuildGenerator.Generate(_registry, ns, name, "Manually triggered")) is not null, limit.Token);
        var buildName = build!.Name();
        var uploaded = false;
        try
        {
            string? phase = null;
            await WaitUntilAsync(ns, () => (phase = _registry.Store.Get("builds", ns, buildName)?["status"].Str("phase")) is not ("New" or "Pending"), limit.Token);
            var current = _registry.Store.Get("builds", ns, buildName)!;
            var reason = current["status"].Str("reason");
            var message = current["status"].Str("message");
            switch (phase)
            {
                case "Running":
                    using (var archive = new MemoryStream())
                    {
                        await body.CopyToAsync(archive, cancellationToken);
                        Uploads.Record(ns, buildName, Api.BinaryArchive.Files(archive.ToArray()) ?? []);
                    }

                    uploaded = true;
                    Wake();
                    return current;
                case "Failed":
                    uploaded = true; // "don't cancel the build if it reached a terminal state on its own"
                    throw new BadRequestException($"build {buildName} failed: {reason}: {message}");
                case "Error":
                    uploaded = true;
                    throw new BadRequestException($"build {buildName} encountered an error: no logs are available");
                case "Cancelled":
                    uploaded = true;
                    throw new BadRequestException($"build {buildName} was cancelled: no logs are available");
                default:
                    throw new BadRequestException($"cannot upload file to build {buildName} with status {phase}");
            }
        }
        finally
        {
            if (!uploaded)
            {
                CancelBuild(ns, buildName);
            }
        }
    }

    /// <summary>binaryInstantiateHandler.cancelBuild: marks the build for cancellation; the build controller ends it.</summary>
    private void CancelBuild(string ns, string buildName)
    {
        _registry.Store.Mutate("builds", ns, buildName, b =>
        {
            b.Obj("status")["cancelled"] = true;
            return true;
        });
        Wake();
    }

    public async ValueTask DisposeAsync()
    {
        _faults.Changed -= Wake;
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

    /// <summary>What every API request answers once the loop is dead, instead of a cluster that silently never changes.</summary>
    public static string DeadMessage(Exception failure) =>
        $"the simulated controller manager has stopped ({failure.GetType().Name}: {failure.Message}): nothing in the cluster will change any more; restart the simulator";

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunLoopAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Die(e);
        }
    }

    /// <summary>Completes when the controller loop has died (never, while it runs).</summary>
    public Task Stopped => _stopped.Task;

    private void Die(Exception e)
    {
        Failure = e;
        _stopped.TrySetResult();
        _log($"[simulator] {DeadMessage(e)}");
        lock (_idleLock)
        {
            _idleSignal.TrySetException(new InvalidOperationException(DeadMessage(e), e));
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        long? pendingSince = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_faults.TakeLoopKill())
            {
                throw new InvalidOperationException("injected fault: the controller loop was killed (kill-controllers)");
            }

            var passStart = _time.GetTimestamp();
            if (pendingSince is { } since)
            {
                Interlocked.Add(ref _busyTicks, passStart - since);
            }

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

            pendingSince = _waiting.Count > 0 ? passStart : null;

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
        var controllers = Factories(registry, instant, faults, clock, uploads ?? new BinaryUploads(), new HookRuns(), new PodLogs()).Select(f => f()).ToList();
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

    /// <summary>The controllers, in the order one pass runs them; a factory each, so one that threw can be replaced by a fresh one.</summary>
    private static Func<IController>[] Factories(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, TimeProvider time, BinaryUploads uploads,
        HookRuns hookRuns, PodLogs podLogs, ServiceAccountTokens? tokens = null, ServerVersion? version = null, Containers.Workloads? workloads = null) =>
    [
        () => new ServiceAccountController(registry),
        // Not while seeding (Settle): tokens are signed with the running cluster's key.
        .. tokens is null ? Array.Empty<Func<IController>>() : [() => new TokensController(registry, tokens, version ?? ServerVersion.OpenShift311)],
        () => new ImageImportController(registry, timing, faults),
        () => new ImageTriggerController(registry),
        () => new DeploymentConfigController(registry, time),
        () => new DeployerController(registry, timing, faults, new PreHookRunner(registry, timing, faults, hookRuns, podLogs, workloads)),
        () => new ReplicationManager(registry, timing, faults, workloads),
        () => new KubeletController(registry, timing),
        () => new BuildController(registry, timing, faults, uploads),
    ];

    private static string NameOf(IController controller) =>
        controller.GetType().Name.Replace("Controller", string.Empty, StringComparison.Ordinal).Replace("Manager", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

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
        for (var i = 0; i < _controllers.Length; i++)
        {
            try
            {
                if (_faults.TakeCrash(_names[i]))
                {
                    throw new InvalidProgramException($"injected fault: controller {_names[i]} crashed (crash-controller)");
                }

                result |= _controllers[i].Reconcile(now, ns);
                _failuresInARow[i] = 0;
                _racesInARow[i] = 0;
            }
            catch (Exception e) when (e is StoreException or InvalidObjectException or InvalidOperationException or KeyNotFoundException)
            {
                // A concurrent write or delete raced this pass: the next pass sees the new state and retries. Only a
                // store conflict is certainly a race; anything else is logged (at 1, 2, 4, 8... in a row), so a bug
                // that looks like one (a JSON node attached twice threw InvalidOperationException) does not hide.
                LastError = e;
                var races = ++_racesInARow[i];
                if (e is not StoreException && (races & (races - 1)) == 0)
                {
                    _log($"[simulator] controller {_names[i]} in namespace {ns} gave up a pass ({races} in a row), retrying: {e.GetType().Name}: {e.Message}");
                }

                result |= new PassResult(false, true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug or a fault in one controller must neither kill the loop nor go unnoticed: log it and start a
                // fresh instance (its in-memory state is lost, as when openshift-controller-manager restarts), then
                // retry on the next pass. A controller failing on every pass is logged at 1, 2, 4, 8... failures.
                LastError = e;
                Interlocked.Increment(ref _restarts);
                var failures = ++_failuresInARow[i];
                if ((failures & (failures - 1)) == 0)
                {
                    _log($"[simulator] controller {_names[i]} failed in namespace {ns} ({failures} in a row), restarting it: {e.GetType().Name}: {e.Message}");
                }

                _controllers[i] = _factories[i]();
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
