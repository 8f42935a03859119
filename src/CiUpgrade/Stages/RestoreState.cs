using System.Net;
using CiUpgrade.Cluster;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Stages;

/// <summary>
/// Reads and writes a data restore's progress (<see cref="RestoreProgress"/>) in ConfigMap `ciupgrade-restore`: created
/// on the first write (after the namespace lock is held), then replaced with its resourceVersion after every step,
/// so a rerun after a kill starts where this run stopped.
/// </summary>
public sealed class RestoreState(StageContext context)
{
    private V1ConfigMap? _configMap;

    public async Task<RestoreProgress?> ReadAsync(CancellationToken ct)
    {
        _configMap = await context.Client.GetConfigMapAsync(RestoreProgress.ConfigMapName, ct);
        if (_configMap is null)
        {
            return null;
        }

        return RestoreProgress.Parse(_configMap.Data?.TryGetValue(RestoreProgress.Key, out var json) == true ? json : null)
            ?? throw new UpgradeException(ExitCode.WrongClusterState,
                $"ConfigMap {RestoreProgress.ConfigMapName} in namespace {context.Namespace} holds no data restore progress ciupgrade can read (key {RestoreProgress.Key}); nothing was changed — if no restore is under way, delete it (oc delete configmap {RestoreProgress.ConfigMapName}) and rerun");
    }

    public async Task SaveAsync(RestoreProgress progress, CancellationToken ct)
    {
        await context.Client.EnsureWritableAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(progress, ct);
                return;
            }
            catch (ClusterRequestException e) when (e.StatusCode is HttpStatusCode.Conflict && attempt < MaxAttempts)
            {
                // A write whose answer was lost (a connection reset after the server stored it) is resent by the HTTP
                // retries and then refused as a conflict (409: AlreadyExists, or a resourceVersion that moved). Under
                // the namespace lock no other ciupgrade writes this ConfigMap, so judge afresh from what is stored:
                // this run's write already there is done; another restore under way is not ours to overwrite;
                // anything else is written over with the stored resourceVersion (which may be lost again, hence the loop).
                var stored = await ReadAsync(ct);
                if (stored is not null && stored.ToJson() == progress.ToJson())
                {
                    return;
                }

                if (stored is { Done: false } && stored.Backup != progress.Backup)
                {
                    throw Changed();
                }
            }
        }
    }

    /// <summary>Each lost answer costs one round; five in a row means something else keeps writing it.</summary>
    private const int MaxAttempts = 5;

    private UpgradeException Changed() => new(ExitCode.WrongClusterState,
        $"ConfigMap {RestoreProgress.ConfigMapName} was changed by another client while this rollback held the upgrade lock; rerun rollback --restore-data (it resumes from what the ConfigMap says)");

    private async Task WriteAsync(RestoreProgress progress, CancellationToken ct)
    {
        if (_configMap is null)
        {
            _configMap = await context.Client.CreateConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = RestoreProgress.ConfigMapName,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "ciupgrade" },
                },
                Data = new Dictionary<string, string> { [RestoreProgress.Key] = progress.ToJson() },
            }, ct);
            return;
        }

        _configMap.Data ??= new Dictionary<string, string>();
        _configMap.Data[RestoreProgress.Key] = progress.ToJson();
        _configMap = await context.Client.ReplaceConfigMapAsync(_configMap, ct);
    }
}
