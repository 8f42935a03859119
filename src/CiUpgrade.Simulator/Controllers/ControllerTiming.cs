namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// How fast the simulated controllers move. Every controller step waits at least <see cref="StepDelay"/>.
/// The delays only slow things down; the one wall-clock deadline that decides an outcome is the rollout's
/// progress deadline. A healthy rollout gets <see cref="ProgressDeadline"/>, which in every timing is the real
/// default (rollingParams.timeoutSeconds: 600, as openshift-apiserver's apps/v1 defaulting writes it), far beyond
/// what a loaded machine needs; only a DC whose pods the fault knobs keep from ever getting ready
/// (<see cref="ControllerFaults.StickDeploymentConfig"/>) fails after the short <see cref="StuckRolloutDeadline"/>.
/// Its outcome cannot depend on the machine's speed: those pods never become ready, however long it waits.
/// </summary>
public sealed record ControllerTiming(TimeSpan ImportDelay, TimeSpan StepDelay, TimeSpan PodReadyDelay, TimeSpan ProgressDeadline, TimeSpan StuckRolloutDeadline)
{
    private static readonly TimeSpan RealDeadline = TimeSpan.FromMinutes(10);

    /// <summary>For tests: a whole six-stream upgrade settles in a few seconds.</summary>
    public static ControllerTiming Fast { get; } = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20), RealDeadline, TimeSpan.FromSeconds(2));

    /// <summary>For the README demo: visible progress lines, the whole upgrade well under a minute.</summary>
    public static ControllerTiming Demo { get; } = new(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(400), RealDeadline, TimeSpan.FromSeconds(30));

    /// <summary>Roughly real-world pacing, for manual runs of the console entry.</summary>
    public static ControllerTiming Real { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), RealDeadline, RealDeadline);

    public static ControllerTiming Parse(string name) => name switch
    {
        "fast" => Fast,
        "demo" => Demo,
        "real" => Real,
        _ => throw new ArgumentException($"unknown timing \"{name}\" (use fast, demo or real)"),
    };
}
