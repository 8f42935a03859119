namespace CiUpgrade.Simulator.Api;

/// <summary>A JSON patch operation that does not apply; the server answers 422 Invalid.</summary>
public sealed class JsonPatchException(string message) : Exception(message);
