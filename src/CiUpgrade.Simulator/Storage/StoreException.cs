namespace CiUpgrade.Simulator.Storage;

/// <summary>Why a store operation was refused; the HTTP layer maps each reason to a Kubernetes Status.</summary>
public enum StoreError
{
    NotFound,
    AlreadyExists,
    Conflict,
    Gone,
}

/// <summary>A store operation that cannot be done as asked.</summary>
public sealed class StoreException(StoreError error, string message) : Exception(message)
{
    public StoreError Error { get; } = error;
}
