namespace CiUpgrade.Simulator.Controllers;

/// <summary>How an injected build failure ends: phase Failed, Error or Cancelled, with the Build's status reason and message.</summary>
public sealed record BuildFailure(string Phase, string Reason, string Message);
