namespace CiUpgrade.RealApiTests.Support;

// One real API server per collection: the collections run side by side, the tests of one collection one after another.

/// <summary>The stages run as the executable against a seeded install.</summary>
[CollectionDefinition(Name)]
public sealed class StagesCollection : ICollectionFixture<RealApiServer>
{
    public const string Name = "real API server: stages";
}

/// <summary>The namespace lock, concurrent writers and the connection (TLS trust, permissions).</summary>
[CollectionDefinition(Name)]
public sealed class LockingCollection : ICollectionFixture<RealApiServer>
{
    public const string Name = "real API server: locking and access";
}
