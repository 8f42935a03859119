using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Storage;

/// <summary>
/// One chunk of a LIST with <c>limit</c>: the objects, the revision they were read at, the key the next chunk starts
/// after (null when nothing is left) and how many objects remain (null when a selector filtered, as the API server
/// only counts them for an unfiltered list).
/// </summary>
public sealed record ListChunk(IReadOnlyList<JsonObject> Items, long ResourceVersion, string? NextKey, long? Remaining);
