using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Storage;

namespace CiUpgrade.Simulator.Registry;

/// <summary>
/// The generic registry store (k8s.io/apiserver registry/generic/registry/store.go): runs a
/// resource's strategy around every write, honours dry run (everything but the final write) and
/// optimistic concurrency, and decorates what it hands out. Both the HTTP layer and the
/// in-process controllers write through it, so controllers obey the same rules as clients.
/// </summary>
public sealed class ResourceRegistry
{
    private readonly Dictionary<string, IResourceStrategy> _strategies;

    public ResourceRegistry(ObjectStore store, IEnumerable<IResourceStrategy> strategies)
    {
        Store = store;
        _strategies = strategies.ToDictionary(s => s.Type.Plural, StringComparer.Ordinal);
    }

    public ObjectStore Store { get; }

    /// <summary>
    /// metadata.managedFields kept on every write (Kubernetes 1.18+, so OpenShift 4.x); null: none kept, and any a client
    /// sends dropped, as Kubernetes 1.11's ObjectMeta has no such field (OpenShift 3.11).
    /// </summary>
    public ManagedFields? ManagedFields { get; init; }

    /// <summary>Serialises controller passes (the background loop and seeding) so they never interleave.</summary>
    public Lock ControllerLock { get; } = new();

    public IEnumerable<IResourceStrategy> Strategies => _strategies.Values;

    public IResourceStrategy? Find(string plural) => _strategies.GetValueOrDefault(plural);

    public IResourceStrategy StrategyFor(string plural) =>
        Find(plural) ?? throw new StoreException(StoreError.NotFound, $"the server could not find the requested resource ({plural})");

    public JsonObject? Get(string plural, string ns, string name)
    {
        var obj = Store.Get(plural, ns, name);
        if (obj is not null)
        {
            StrategyFor(plural).Decorate(obj);
        }

        return obj;
    }

    public (IReadOnlyList<JsonObject> Items, long ResourceVersion) List(string plural, string? ns)
    {
        var strategy = StrategyFor(plural);
        var (items, rv) = Store.List(plural, ns);
        foreach (var item in items)
        {
            strategy.Decorate(item);
        }

        return (items, rv);
    }

    public JsonObject Create(string plural, string ns, JsonObject obj, bool dryRun = false)
    {
        var strategy = StrategyFor(plural);
        var copy = (JsonObject)obj.DeepClone();
        var meta = copy["metadata"] as JsonObject ?? [];
        copy["metadata"] = meta;
        meta.Remove("resourceVersion");
        strategy.PrepareForCreate(copy);
        ThrowIfInvalid(strategy, copy, null);
        TrackFields(strategy, copy, null, status: false);
        if (dryRun)
        {
            if (Store.Get(plural, ns, NameOf(copy)) is not null)
            {
                throw new StoreException(StoreError.AlreadyExists, $"{plural} \"{NameOf(copy)}\" already exists");
            }

            strategy.Decorate(copy);
            return copy;
        }

        var stored = Store.Create(plural, ns, copy);
        strategy.Decorate(stored);
        return stored;
    }

    /// <summary>
    /// PUT semantics: <paramref name="obj"/> must carry metadata.resourceVersion (else Invalid, as
    /// AllowUnconditionalUpdate() == false for image streams and DeploymentConfigs); a stale one is a Conflict.
    /// </summary>
    public JsonObject Update(string plural, string ns, JsonObject obj, bool dryRun = false, bool status = false)
    {
        var strategy = StrategyFor(plural);
        var name = NameOf(obj);
        var rv = (string?)obj["metadata"]?["resourceVersion"];
        if (string.IsNullOrEmpty(rv))
        {
            throw new InvalidObjectException(strategy.Type, name,
                [new FieldError("metadata.resourceVersion", "FieldValueInvalid", "Invalid value: 0x0: must be specified for an update")]);
        }

        var old = Store.Get(plural, ns, name) ?? throw new StoreException(StoreError.NotFound, $"{strategy.Type.QualifiedResource} \"{name}\" not found");
        if ((string?)old["metadata"]?["resourceVersion"] != rv)
        {
            throw Conflict(strategy, name);
        }

        var updated = (JsonObject)obj.DeepClone();
        if (status)
        {
            strategy.PrepareForStatusUpdate(updated, old);
        }
        else
        {
            strategy.PrepareForUpdate(updated, old);
        }

        ThrowIfInvalid(strategy, updated, old);
        TrackFields(strategy, updated, old, status);
        if (dryRun)
        {
            strategy.Decorate(updated);
            return updated;
        }

        try
        {
            var stored = Store.Update(plural, ns, updated, rv);
            strategy.Decorate(stored);
            return stored;
        }
        catch (StoreException e) when (e.Error == StoreError.Conflict)
        {
            throw Conflict(strategy, name);
        }
    }

    /// <summary>
    /// Read-modify-write with retry on conflict (what a patch handler and a controller both do):
    /// <paramref name="change"/> gets the current object (undecorated) and returns the wanted one, or null for no change.
    /// </summary>
    public JsonObject? Modify(string plural, string ns, string name, Func<JsonObject, JsonObject?> change, bool dryRun = false, bool status = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = Store.Get(plural, ns, name);
            if (current is null)
            {
                return null;
            }

            var wanted = change((JsonObject)current.DeepClone());
            if (wanted is null)
            {
                StrategyFor(plural).Decorate(current);
                return current;
            }

            if (wanted["metadata"] is JsonObject meta)
            {
                meta["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone();
            }

            try
            {
                return Update(plural, ns, wanted, dryRun, status);
            }
            catch (StoreException e) when (e.Error == StoreError.Conflict && attempt < 10)
            {
                // Someone wrote in between; read again and reapply, as GuaranteedUpdate does.
            }
        }
    }

    public JsonObject Delete(string plural, string ns, string name, bool dryRun = false)
    {
        var strategy = StrategyFor(plural);
        if (dryRun)
        {
            var existing = Store.Get(plural, ns, name) ?? throw new StoreException(StoreError.NotFound, $"{strategy.Type.QualifiedResource} \"{name}\" not found");
            strategy.Decorate(existing);
            return existing;
        }

        var deleted = Store.Delete(plural, ns, name);
        strategy.Decorate(deleted);
        return deleted;
    }

    private void TrackFields(IResourceStrategy strategy, JsonObject obj, JsonObject? old, bool status)
    {
        if (ManagedFields is { } fields)
        {
            fields.Track(obj, old, strategy.Type, status);
        }
        else
        {
            (obj["metadata"] as JsonObject)?.Remove("managedFields");
        }
    }

    private static StoreException Conflict(IResourceStrategy strategy, string name) =>
        new(StoreError.Conflict,
            $"Operation cannot be fulfilled on {strategy.Type.QualifiedResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");

    private static void ThrowIfInvalid(IResourceStrategy strategy, JsonObject obj, JsonObject? old)
    {
        var errors = strategy.Validate(obj, old);
        if (errors.Count > 0)
        {
            throw new InvalidObjectException(strategy.Type, NameOf(obj), errors);
        }
    }

    private static string NameOf(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? string.Empty;
}
