using System.Collections.Concurrent;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// What the kubelet would serve at pods/{name}/log: the output of the pod's current container run.
/// Only pods whose containers the simulator "runs" (hook pods) have output; others log nothing.
/// </summary>
public sealed class PodLogs
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _lines = new(StringComparer.Ordinal);

    public void Set(string ns, string pod, IReadOnlyList<string> lines) => _lines[ns + "/" + pod] = lines;

    public IReadOnlyList<string> Of(string ns, string pod) => _lines.GetValueOrDefault(ns + "/" + pod) ?? [];
}
