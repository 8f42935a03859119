namespace CiUpgrade.Simulator.Registry;

/// <summary>A request the server refuses as malformed or impossible (HTTP 400 BadRequest).</summary>
public sealed class BadRequestException(string message) : Exception(message);
