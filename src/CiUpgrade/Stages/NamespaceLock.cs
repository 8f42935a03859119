using System.Globalization;
using System.Net;
using CiUpgrade.Cluster;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// One upgrade at a time per namespace, with what OpenShift 3.11 has (no Lease API there): a ConfigMap
/// `ciupgrade-lock` created by each mutating stage just before its first write (holder, stage, acquired, renewed), renewed
/// every 20 s while the stage runs, and deleted at its end. Create is atomic (409 AlreadyExists for the loser);
/// a takeover deletes with a UID precondition, so two runs never both hold it. A second run waits up to --timeout
/// for the holder, then exits 4 naming it; a rerun with the same --run-id resumes at once; a lock not renewed for
/// <see cref="LockDecision.Staleness"/> (its run died) is taken over. When the lock is lost while the stage runs
/// (taken over after the holder could not renew it), the stage stops at once.
/// </summary>
public sealed class NamespaceLock : IAsyncDisposable
{
    public const string ConfigMapName = "ciupgrade-lock";
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(15);
    private readonly StageContext _context;
    private readonly string _stage;
    private readonly string _holder;
    private readonly string _uid;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    private NamespaceLock(StageContext context, string stage, string holder, string uid)
    {
        _context = context;
        _stage = stage;
        _holder = holder;
        _uid = uid;
        _renewing = RenewAsync(_stop.Token);
    }

    /// <summary>Cancelled when another run took the lock over while this stage held it.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Who took the lock over (when <see cref="Lost"/>).</summary>
    public string? TakenBy { get; private set; }

    /// <summary>The holder name of this process: the run id when given, else user@host and pid.</summary>
    public static string HolderFor(string? runId) =>
        runId ?? $"{UserName()}@{Environment.MachineName} pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";

    // Environment.UserName reads the passwd entry and throws (IOException, ENOENT) where there is no /etc/passwd: an
    // arbitrary UID in a distroless root (.ci/image-check.sh's jail). The name is only for people reading the lock.
    private static string UserName()
    {
        try
        {
            return Environment.UserName;
        }
        catch (IOException)
        {
            return Environment.GetEnvironmentVariable("USER") is { Length: > 0 } user ? user : "unknown-user";
        }
    }

    /// <summary>
    /// Waits, reading only, while another live run holds the lock (the same wait and messages as <see cref="AcquireAsync"/>);
    /// returns once it is free, stale or this run's own (which of the three). Nothing is written: a stage that then
    /// refuses leaves no trace.
    /// </summary>
    public static async Task<LockAction> WaitUntilFreeAsync(StageContext context, string stage, string holder, CancellationToken ct) =>
        (await LoopAsync(context, stage, holder, take: false, ct)).Action;

    /// <summary>Takes the lock (waiting for another live run up to --timeout); Waited: another run held it meanwhile.</summary>
    public static async Task<(NamespaceLock Held, bool Waited)> AcquireAsync(StageContext context, string stage, string holder, CancellationToken ct)
    {
        var (held, waited, _) = await LoopAsync(context, stage, holder, take: true, ct);
        return (held!, waited);
    }

    private static async Task<(NamespaceLock? Held, bool Waited, LockAction Action)> LoopAsync(StageContext context, string stage, string holder, bool take, CancellationToken ct)
    {
        var client = context.Client;
        var waitedAny = false;
        var started = context.Time.GetUtcNow();
        var lastLine = DateTimeOffset.MinValue;
        // A stage takes the lock just before its first write, after its read-only wait found the lock free: the create
        // is tried at once (it is atomic); a 409 means another run created it meanwhile, then judged like any lock found.
        var assumeFree = take;
        while (true)
        {
            var existing = assumeFree ? null : await client.GetConfigMapAsync(ConfigMapName, ct);
            assumeFree = false;
            var now = context.Time.GetUtcNow();
            var data = existing?.Data ?? new Dictionary<string, string>();
            var current = existing is null ? null : Value(data, "holder") ?? string.Empty;
            var action = LockDecision.Decide(current, ParseTime(Value(data, "renewed")), holder, now);
            if (!take && action != LockAction.Wait)
            {
                return (null, waitedAny, action);
            }

            switch (action)
            {
                case LockAction.Create:
                    try
                    {
                        var created = await client.CreateConfigMapAsync(New(context, stage, holder, now), ct);
                        context.Reporter.Event(stage, "lock", $"holding the upgrade lock of namespace {context.Namespace} (ConfigMap {ConfigMapName}) as {holder}");
                        return (new NamespaceLock(context, stage, holder, created.Metadata.Uid), waitedAny, action);
                    }
                    catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.Conflict)
                    {
                        continue; // another run created it first: judge it like any lock found
                    }

                case LockAction.TakeOverOwn:
                case LockAction.TakeOverStale:
                    context.Reporter.Event(stage, "lock", current == holder
                        ? $"the upgrade lock is held by this run ({holder}, stage {Value(data, "stage")}): resuming it"
                        : $"the upgrade lock held by {Describe(data)} was not renewed for {DurationText.Format(LockDecision.Staleness)}: taking it over");
                    await DeleteAsync(client, existing!.Metadata.Uid, ct);
                    continue;

                default:
                    waitedAny = true;
                    var waited = now - started;
                    if (waited >= context.Timeout)
                    {
                        throw new UpgradeException(ExitCode.WrongClusterState,
                            $"namespace {context.Namespace} is being upgraded by {Describe(data)} (ConfigMap {ConfigMapName}); waited {DurationText.Format(waited)} (--timeout): rerun when it has finished. If that run is gone, its lock is taken over {DurationText.Format(LockDecision.Staleness)} after its last renewal, or release it now: {UnlockStage.Command(context.Namespace, Value(data, "holder"))}");
                    }

                    if (now - lastLine >= ProgressEvery)
                    {
                        lastLine = now;
                        context.Reporter.Event(stage, "lock", $"waiting for the upgrade lock of namespace {context.Namespace}: held by {Describe(data)} ({DurationText.Format(waited)} so far, up to {DurationText.Format(context.Timeout)}); if that run is gone: {UnlockStage.Command(context.Namespace, Value(data, "holder"))}");
                    }

                    await Task.Delay(PollEvery, context.Time, ct);
                    break;
            }
        }
    }

    /// <summary>Stops renewing and deletes the lock if it is still ours; never throws (it runs when the stage ends, whatever the outcome).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // The renewal loop ends only by cancellation and catches everything else, but a dispose must not throw whatever happened.
        await Task.WhenAny(_renewing);

        using var release = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var current = await _context.Client.GetConfigMapAsync(ConfigMapName, release.Token);
            if (current?.Metadata.Uid == _uid && Value(current.Data, "holder") == _holder)
            {
                await DeleteAsync(_context.Client, _uid, release.Token);
            }
        }
        catch (Exception e)
        {
            _context.Reporter.Event(_stage, "lock", $"could not release the upgrade lock ({e.Message}); it is taken over {DurationText.Format(LockDecision.Staleness)} after its last renewal, or by a rerun with the same --run-id");
        }

        _lost.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// The renewal period: <see cref="LockDecision.RenewEvery"/>, unless the hidden environment variable
    /// CIUPGRADE_LOCK_RENEW_EVERY gives another duration (how tests see renewals in seconds; not for users).
    /// </summary>
    internal static TimeSpan RenewEvery { get; } =
        Environment.GetEnvironmentVariable("CIUPGRADE_LOCK_RENEW_EVERY") is { Length: > 0 } every && TryDuration(every) is { } period ? period : LockDecision.RenewEvery;

    private static TimeSpan? TryDuration(string text)
    {
        try
        {
            return Cli.Durations.Parse(text, "CIUPGRADE_LOCK_RENEW_EVERY");
        }
        catch (UpgradeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Renews the lock until the stage ends, surviving any error: a failed renewal is reported once (and once more when
    /// renewing works again) and retried at the next tick, since the lock stays valid for <see cref="LockDecision.Staleness"/>.
    /// Each renewal reads the lock and, while it is still this run's (its uid and holder), writes it back with `renewed`
    /// moved (PUT with its resourceVersion: a lock replaced meanwhile refuses it, 409), without metadata.managedFields:
    /// the field owners the server records on every object since Kubernetes 1.18 are the server's, not something to send back.
    /// </summary>
    private async Task RenewAsync(CancellationToken ct)
    {
        string? failing = null;
        using var timer = new PeriodicTimer(RenewEvery, _context.Time);
        while (await WaitTickAsync(timer, ct))
        {
            try
            {
                var current = await _context.Client.GetConfigMapAsync(ConfigMapName, ct);
                if (current?.Metadata.Uid != _uid || Value(current.Data, "holder") != _holder)
                {
                    await TakenOverAsync(current);
                    return;
                }

                current.Data!["renewed"] = Stamp(_context.Time.GetUtcNow());
                // Not written back: the server keeps its own record of field owners when an update leaves them out.
                current.Metadata.ManagedFields = null;
                await _context.Client.ReplaceConfigMapAsync(current, ct);
                if (failing is not null)
                {
                    failing = null;
                    _context.Reporter.Event(_stage, "lock", "renewing the upgrade lock works again");
                }
            }
            catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                // Deleted or replaced since it was read: the next tick reads it again and finds out whose it is.
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // An outage, a denied or refused request, anything: the lock stays valid for minutes; try again at the next tick.
                if (failing is null)
                {
                    failing = e.Message;
                    _context.Reporter.Event(_stage, "lock", $"could not renew the upgrade lock ({e.Message}); retrying every {DurationText.Format(RenewEvery)} (another run may take it over {DurationText.Format(LockDecision.Staleness)} after its last renewal)");
                }
            }
        }
    }

    /// <summary>The next tick, false once the stage ends.</summary>
    private static async Task<bool> WaitTickAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The lock is gone or another run's: the stage stops (<see cref="Lost"/>).</summary>
    private async Task TakenOverAsync(V1ConfigMap? current)
    {
        TakenBy = current is null ? "(deleted)" : Describe(current.Data ?? new Dictionary<string, string>());
        _context.Reporter.Event(_stage, "lock", $"the upgrade lock was taken over by {TakenBy}: stopping");
        await _lost.CancelAsync();
    }

    private static async Task DeleteAsync(OpenShiftClient client, string uid, CancellationToken ct)
    {
        try
        {
            await client.DeleteConfigMapAsync(ConfigMapName, uid, ct);
        }
        catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Already gone, or already replaced by another run: the caller reads the lock again.
        }
    }

    private static V1ConfigMap New(StageContext context, string stage, string holder, DateTimeOffset now) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = ConfigMapName,
            NamespaceProperty = context.Namespace,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "ciupgrade" },
        },
        Data = new Dictionary<string, string>
        {
            ["holder"] = holder,
            ["stage"] = stage,
            ["acquired"] = Stamp(now),
            ["renewed"] = Stamp(now),
            ["host"] = Environment.MachineName,
        },
    };

    private static string Describe(IDictionary<string, string> data) =>
        $"{(Value(data, "holder") is { Length: > 0 } h ? h : "(unknown holder)")} (stage {Value(data, "stage") ?? "?"}, since {Value(data, "acquired") ?? "?"})";

    private static string? Value(IDictionary<string, string>? data, string key) => data is not null && data.TryGetValue(key, out var value) ? value : null;

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
