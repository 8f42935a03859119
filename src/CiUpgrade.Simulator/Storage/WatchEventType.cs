namespace CiUpgrade.Simulator.Storage;

/// <summary>The event types of a Kubernetes watch stream (BOOKMARK and ERROR are produced by the HTTP layer).</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
}
