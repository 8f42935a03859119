namespace CiUpgrade.Simulator.Controllers;

/// <summary>Why a stuck DC's pods stay unready (a container waiting reason).</summary>
public sealed record PodFailure(string Reason);
