using System.Globalization;
using System.Runtime;

namespace CiUpgrade.Reporting;

/// <summary>
/// With CIUPGRADE_GC_REPORT=1 in the environment, one line on stderr as the process ends: the garbage collector's own
/// view of its settings (heap count, concurrent, conserve-memory, heap hard limit, the memory it believes it has, the
/// largest gen0 budget) and of the run (collections per generation, bytes allocated). bench/ records it beside every
/// memory figure: a peak RSS says little without them (issue 23: the same commit peaked at 70 and at 110 MiB on two
/// machines). The values are the runtime's (GC.GetConfigurationVariables, .NET 7+: the GC's settings after it has
/// applied the environment, the runtimeconfig and a container's memory limit), not read back from the environment.
/// </summary>
public static class GcReport
{
    public const string Variable = "CIUPGRADE_GC_REPORT";

    public static void WriteIfAsked(TextWriter stderr)
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            return;
        }

        var config = GC.GetConfigurationVariables();
        string Setting(string name) => config.TryGetValue(name, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty : "?";
        var memory = GC.GetGCMemoryInfo();
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gc: server={GCSettings.IsServerGC} concurrent={Setting("ConcurrentGC")} heaps={Setting("HeapCount")} conserveMemory={Setting("GCConserveMem")} " +
            $"heapHardLimit={Setting("GCHeapHardLimit")} totalAvailableMemory={memory.TotalAvailableMemoryBytes} gen0MaxBudget={Setting("GCGen0MaxBudget")} " +
            $"collections={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} allocated={GC.GetTotalAllocatedBytes()}"));
    }
}
