namespace CiUpgrade.Simulator.Controllers;

/// <summary>Every hook container run so far, in order (for tests: which command ran on which image in which rollout).</summary>
public sealed class HookRuns
{
    private readonly Lock _lock = new();
    private readonly List<HookRun> _runs = [];

    public IReadOnlyList<HookRun> All
    {
        get { lock (_lock) { return _runs.ToList(); } }
    }

    public void Record(HookRun run)
    {
        lock (_lock)
        {
            _runs.Add(run);
        }
    }
}
