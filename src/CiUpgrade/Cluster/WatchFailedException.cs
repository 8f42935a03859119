namespace CiUpgrade.Cluster;

/// <summary>A watch or relist attempt that failed in a way the next attempt may not (410 Gone, a 5xx, an ERROR event).</summary>
public sealed class WatchFailedException(string message, Exception? inner = null) : Exception(message, inner);
