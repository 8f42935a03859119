namespace CiUpgrade.Simulator.Controllers;

/// <summary>How fast the simulated controllers move. Every controller step waits at least <see cref="StepDelay"/>.</summary>
public sealed record ControllerTiming(TimeSpan ImportDelay, TimeSpan StepDelay, TimeSpan PodReadyDelay, TimeSpan ProgressDeadline)
{
    /// <summary>For tests: a whole six-stream upgrade settles in a few seconds.</summary>
    public static ControllerTiming Fast { get; } = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2));

    /// <summary>For the README demo: visible progress lines, the whole upgrade well under a minute.</summary>
    public static ControllerTiming Demo { get; } = new(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(30));

    /// <summary>Roughly real-world pacing, for manual runs of the console entry.</summary>
    public static ControllerTiming Real { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), TimeSpan.FromMinutes(10));

    public static ControllerTiming Parse(string name) => name switch
    {
        "fast" => Fast,
        "demo" => Demo,
        "real" => Real,
        _ => throw new ArgumentException($"unknown timing \"{name}\" (use fast, demo or real)"),
    };
}
