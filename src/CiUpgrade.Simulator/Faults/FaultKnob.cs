namespace CiUpgrade.Simulator.Faults;

/// <summary>
/// One fault drill knob: its name, the syntax of its value, what it does, and a parser that checks the value
/// up front (so a bad `--fault` fails before the simulator starts) and returns what to do to a running cluster.
/// </summary>
public sealed record FaultKnob(string Name, string Usage, string Help, Func<FaultValue, Action<SimulatedCluster>> Parse);
