namespace CiUpgrade.Simulator.Controllers;

/// <summary>How an injected import failure reads in the ImportSuccess condition.</summary>
public sealed record ImportFailure(string Reason, string Message);
