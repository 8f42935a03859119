using System.Net.WebSockets;

namespace CiUpgrade.Stages;

/// <summary>
/// An exec whose connection broke (refused, reset, cut half-way: the exec WebSocket does not go through the HTTP
/// retries) is run again from the start, up to <see cref="Attempts"/> times with a jittered backoff of 0.5 s doubling
/// (<see cref="Cluster.ResourceWatch{T}.Backoff"/>), one line each time. Safe because every exec a stage runs is whole
/// on its own: a dump is written again from its first byte, a load drops and loads again, a copy or an extraction
/// starts over. A command that ran and exited non-zero is not retried: its exit is the answer. The last failure is exit 3.
/// </summary>
public sealed class ExecRetry(StageContext context, string stage)
{
    public const int Attempts = 6;

    public async Task<T> RunAsync<T>(string name, Func<CancellationToken, Task<T>> exec, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await exec(ct);
            }
            catch (Exception e) when (attempt == Attempts && !ct.IsCancellationRequested && e is WebSocketException or IOException or HttpRequestException)
            {
                throw new UpgradeException(ExitCode.ClusterUnreachable,
                    $"{name}: the exec connection to the pod broke {Attempts} times (last: {e.Message}); check the cluster's health and rerun (the stage starts {name} over)", e);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is WebSocketException or IOException or HttpRequestException)
            {
                context.Reporter.Event(stage, "exec-retry", $"{name}: the exec connection broke ({e.Message}); starting over (attempt {attempt + 1} of {Attempts})");
                await Task.Delay(Cluster.ResourceWatch<k8s.Models.V1Pod>.Backoff(attempt - 1, Random.Shared.NextDouble()), context.Time, ct);
            }
        }
    }
}
