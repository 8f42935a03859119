using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Storage;

/// <summary>One change in the store, as a watch replays it. <see cref="Item"/> is a private copy.</summary>
public sealed record StoredEvent(long ResourceVersion, WatchEventType Type, string Resource, string Namespace, JsonObject Item);
