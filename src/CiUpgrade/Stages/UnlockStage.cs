using System.Globalization;
using System.Net;
using CiUpgrade.Cluster;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// `ciupgrade unlock`: releases the namespace lock (<see cref="NamespaceLock"/>) of a run the operator knows is dead,
/// so a rerun without the dead run's --run-id need not wait for the lock to go stale (review N7). Refused while the
/// lock was renewed within the staleness window unless --force (<see cref="LockDecision.Unlock"/>). The delete carries a
/// UID precondition: a lock another run took meanwhile is never the one deleted.
/// </summary>
public sealed class UnlockStage(StageContext context)
{
    private const string Stage = "unlock";

    public async Task<ExitCode> RunAsync(string? runId, bool force, CancellationToken ct)
    {
        var ns = context.Namespace;
        var existing = await context.Client.GetConfigMapAsync(NamespaceLock.ConfigMapName, ct);
        var data = existing?.Data ?? new Dictionary<string, string>();
        var holder = existing is null ? null : Value(data, "holder") ?? string.Empty;
        var renewed = DateTimeOffset.TryParse(Value(data, "renewed"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
        var now = context.Time.GetUtcNow();
        var described = $"{(holder is { Length: > 0 } ? holder : "(unknown holder)")} (stage {Value(data, "stage") ?? "?"}, since {Value(data, "acquired") ?? "?"}, "
            + $"last renewed {(renewed is { } r ? DurationText.Format(now - r) + " ago" : "never")})";
        switch (LockDecision.Unlock(holder, renewed, runId, force, now))
        {
            case UnlockAction.None:
                context.Reporter.Event(Stage, "done", $"namespace {ns} has no upgrade lock (ConfigMap {NamespaceLock.ConfigMapName}): nothing to release");
                return ExitCode.Success;
            case UnlockAction.RefuseOtherHolder:
                throw new UpgradeException(ExitCode.WrongClusterState,
                    $"the upgrade lock of namespace {ns} is held by {described}, not by {runId}: nothing released (pass that holder with --run-id if it is the run you know is dead)");
            case UnlockAction.RefuseAlive:
                throw new UpgradeException(ExitCode.WrongClusterState,
                    $"the upgrade lock of namespace {ns} is held by {described}, within {DurationText.Format(LockDecision.Staleness)} of its last renewal: its run may still be working. "
                    + $"Nothing released; if you know that run is gone (its pod or process ended), rerun with --force");
        }

        try
        {
            await context.Client.DeleteConfigMapAsync(NamespaceLock.ConfigMapName, existing!.Metadata.Uid, ct);
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            context.Reporter.Event(Stage, "done", $"the upgrade lock of namespace {ns} was released meanwhile: nothing left to release");
            return ExitCode.Success;
        }
        catch (ClusterRequestException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The UID precondition failed: another run took the lock over between the read and the delete.
            throw new UpgradeException(ExitCode.WrongClusterState, $"the upgrade lock of namespace {ns} was taken by another run while unlocking: nothing released; run unlock again to see its holder", e);
        }

        context.Reporter.Event(Stage, "done", $"released the upgrade lock of namespace {ns} held by {described}");
        return ExitCode.Success;
    }

    /// <summary>The command that releases a lock held by <paramref name="holder"/> (quoted for a POSIX shell: a default holder is "user@host pid N").</summary>
    public static string Command(string ns, string? holder) =>
        $"`ciupgrade unlock -n {ns}{(string.IsNullOrEmpty(holder) ? string.Empty : $" --run-id '{holder.Replace("'", "'\\''", StringComparison.Ordinal)}'")} --force`";

    private static string? Value(IDictionary<string, string> data, string key) => data.TryGetValue(key, out var value) ? value : null;
}
