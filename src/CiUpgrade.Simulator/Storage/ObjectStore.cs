using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace CiUpgrade.Simulator.Storage;

/// <summary>
/// The simulator's etcd: objects as JSON keyed by (resource plural, namespace, name), one global
/// resourceVersion counter, and a bounded event history so a watch can resume from an old
/// resourceVersion or be told it is too old (410 Gone), as the kube-apiserver watch cache does.
/// Every object handed in or out is a deep copy, so callers never share mutable state with the store (the
/// <c>Shared</c> reads excepted: they hand out the stored objects, which are never changed in place, to be read only).
/// It applies no type semantics (defaulting, validation, status rules): that is the registry's job.
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly Dictionary<(string Resource, long ResourceVersion), KeyValuePair<string, JsonObject>[]> _snapshots = [];
    private readonly Queue<(string Resource, long ResourceVersion)> _snapshotOrder = new();
    private readonly int _historyLimit;
    private readonly TimeProvider _time;
    private long _resourceVersion;

    public ObjectStore(int historyLimit = 20_000, TimeProvider? time = null, long initialResourceVersion = 1000)
    {
        _historyLimit = historyLimit;
        _time = time ?? TimeProvider.System;
        _resourceVersion = initialResourceVersion;
    }

    /// <summary>The newest resourceVersion handed out (what a LIST reports in metadata.resourceVersion).</summary>
    /// <summary>The clock of creationTimestamp (and of managedFields' times).</summary>
    public TimeProvider Time => _time;

    public long CurrentResourceVersion
    {
        get { lock (_lock) { return _resourceVersion; } }
    }

    /// <summary>Open watch subscriptions (each HTTP watch and each in-process watcher holds one until its token is cancelled).</summary>
    public int WatcherCount
    {
        get { lock (_lock) { return _subscriptions.Count; } }
    }

    /// <summary>The oldest resourceVersion a watch may still start from; older ones are Gone.</summary>
    public long OldestWatchableResourceVersion
    {
        get { lock (_lock) { return _history.First is { } first ? first.Value.ResourceVersion - 1 : _resourceVersion; } }
    }

    public JsonObject? Get(string resource, string ns, string name)
    {
        lock (_lock)
        {
            return Bucket(resource).TryGetValue(Key(ns, name), out var obj) ? Clone(obj) : null;
        }
    }

    /// <summary>All objects of a resource, in one namespace or (ns null) in all, sorted by namespace then name.</summary>
    public (IReadOnlyList<JsonObject> Items, long ResourceVersion) List(string resource, string? ns)
    {
        var (items, rv) = ListShared(resource, ns);
        return (items.Select(Clone).ToList(), rv);
    }

    /// <summary>
    /// <see cref="List"/> without the copies: the stored objects themselves, for a reader that only reads them (the
    /// LIST handler, which serves each from its encoded bytes). Stored objects are never changed in place.
    /// </summary>
    public (IReadOnlyList<JsonObject> Items, long ResourceVersion) ListShared(string resource, string? ns)
    {
        lock (_lock)
        {
            var items = Bucket(resource).Values
                .Where(o => ns is null || NamespaceOf(o) == ns)
                .ToList();
            return (items, _resourceVersion);
        }
    }

    /// <summary>
    /// One chunk of a LIST with limit/continue, as the etcd3 storage of k8s.io/apiserver serves it (storage/etcd3/store.go
    /// GetList): the objects after <paramref name="startKey"/> in key order (namespace/name, so one namespace's objects
    /// are contiguous) that <paramref name="matches"/>, at most <paramref name="limit"/>, read at the revision of the first
    /// chunk (<paramref name="atResourceVersion"/>; -1 means now, as an "inconsistent" continue token does). A chunk
    /// stops at the limit with <c>NextKey</c> set whenever any key follows, even if none of them matches. The revision
    /// stays readable while the event history reaches back to it and its snapshot is kept (the last 16); after that it
    /// is Gone, as etcd's compaction makes a continue token 410 Expired. The items are the stored objects themselves, to
    /// be read only (see <see cref="ListShared"/>).
    /// </summary>
    public ListChunk ListChunkShared(string resource, string? ns, Func<JsonObject, bool> matches, int limit, long? atResourceVersion, string? startKey)
    {
        lock (_lock)
        {
            KeyValuePair<string, JsonObject>[] items;
            long rv;
            if (atResourceVersion is { } at && at > 0)
            {
                if (at < OldestWatchableResourceVersion || !_snapshots.TryGetValue((resource, at), out items!))
                {
                    throw new StoreException(StoreError.Gone, $"resource version {at} has been compacted");
                }

                rv = at;
            }
            else
            {
                items = Bucket(resource).ToArray();
                rv = _resourceVersion;
            }

            var prefix = ns is null ? string.Empty : ns + "/";
            var i = LowerBound(items, startKey ?? prefix);
            var page = new List<JsonObject>();
            string? lastKey = null;
            for (; i < items.Length && page.Count < limit; i++)
            {
                if (!items[i].Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                lastKey = items[i].Key;
                if (matches(items[i].Value))
                {
                    page.Add(items[i].Value);
                }
            }

            var remaining = items.Skip(i).LongCount(e => e.Key.StartsWith(prefix, StringComparison.Ordinal));
            if (remaining > 0 && atResourceVersion is null or <= 0 && !_snapshots.ContainsKey((resource, rv)))
            {
                KeepSnapshot(resource, rv, items);
            }

            // continue.go: the next chunk starts at the key right after the last one read.
            return new ListChunk(page, rv, remaining > 0 ? lastKey + "\0" : null, remaining);
        }
    }

    /// <summary>Stores a new object: sets uid, creationTimestamp and resourceVersion.</summary>
    public JsonObject Create(string resource, string ns, JsonObject obj)
    {
        var name = NameOf(obj);
        lock (_lock)
        {
            var bucket = Bucket(resource);
            if (bucket.ContainsKey(Key(ns, name)))
            {
                throw new StoreException(StoreError.AlreadyExists, $"{resource} \"{name}\" already exists");
            }

            var stored = Clone(obj);
            var meta = Metadata(stored);
            meta["namespace"] = ns.Length == 0 ? null : ns;
            if (ns.Length == 0)
            {
                meta.Remove("namespace");
            }

            meta["uid"] ??= Guid.NewGuid().ToString();
            meta["creationTimestamp"] ??= _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            Commit(resource, ns, stored, WatchEventType.Added);
            bucket[Key(ns, name)] = stored;
            return Clone(stored);
        }
    }

    /// <summary>
    /// Replaces an object. When <paramref name="expectedResourceVersion"/> is given and differs from the
    /// stored one, fails with Conflict (optimistic concurrency, as etcd3's GuaranteedUpdate).
    /// </summary>
    public JsonObject Update(string resource, string ns, JsonObject obj, string? expectedResourceVersion)
    {
        var name = NameOf(obj);
        lock (_lock)
        {
            var bucket = Bucket(resource);
            if (!bucket.TryGetValue(Key(ns, name), out var current))
            {
                throw new StoreException(StoreError.NotFound, $"{resource} \"{name}\" not found");
            }

            var currentRv = (string?)Metadata(current)["resourceVersion"];
            if (expectedResourceVersion is not null && expectedResourceVersion != currentRv)
            {
                throw new StoreException(StoreError.Conflict, $"{resource} \"{name}\": the object has been modified");
            }

            var stored = Clone(obj);
            var meta = Metadata(stored);
            var currentMeta = Metadata(current);
            meta["uid"] = currentMeta["uid"]?.DeepClone();
            meta["creationTimestamp"] = currentMeta["creationTimestamp"]?.DeepClone();
            if (ns.Length > 0)
            {
                meta["namespace"] = ns;
            }

            Commit(resource, ns, stored, WatchEventType.Modified);
            bucket[Key(ns, name)] = stored;
            return Clone(stored);
        }
    }

    /// <summary>
    /// Atomic read-modify-write for controllers: <paramref name="change"/> edits a copy and returns
    /// false to leave the object alone. Returns the stored result, or null when the object is gone.
    /// </summary>
    public JsonObject? Mutate(string resource, string ns, string name, Func<JsonObject, bool> change)
    {
        lock (_lock)
        {
            var bucket = Bucket(resource);
            if (!bucket.TryGetValue(Key(ns, name), out var current))
            {
                return null;
            }

            var copy = Clone(current);
            if (!change(copy))
            {
                return Clone(current);
            }

            return Update(resource, ns, copy, expectedResourceVersion: null);
        }
    }

    public JsonObject Delete(string resource, string ns, string name)
    {
        lock (_lock)
        {
            var bucket = Bucket(resource);
            if (!bucket.Remove(Key(ns, name), out var current))
            {
                throw new StoreException(StoreError.NotFound, $"{resource} \"{name}\" not found");
            }

            // The deletion's event carries a new resourceVersion; the object itself stays as it was in the revisions
            // a LIST snapshot may still serve (stored objects are never changed in place).
            var deleted = Clone(current);
            Commit(resource, ns, deleted, WatchEventType.Deleted);
            return Clone(deleted);
        }
    }

    /// <summary>
    /// Events of <paramref name="resource"/> (all resources when null) after <paramref name="fromResourceVersion"/>,
    /// then live ones, until the token is cancelled. Throws Gone when the history no longer reaches back that far.
    /// A null <paramref name="fromResourceVersion"/> means "from now".
    /// </summary>
    public ChannelReader<StoredEvent> Watch(string? resource, string? ns, long? fromResourceVersion, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<StoredEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            if (fromResourceVersion is { } from)
            {
                if (from < OldestWatchableResourceVersion)
                {
                    throw new StoreException(StoreError.Gone, $"too old resource version: {from} ({OldestWatchableResourceVersion})");
                }

                foreach (var e in _history.Where(e => e.ResourceVersion > from && Matches(e, resource, ns)))
                {
                    channel.Writer.TryWrite(e with { Item = Clone(e.Item) });
                }
            }

            var subscription = new Subscription(resource, ns, channel.Writer);
            _subscriptions.Add(subscription);
            cancellationToken.Register(() =>
            {
                lock (_lock)
                {
                    _subscriptions.Remove(subscription);
                }

                channel.Writer.TryComplete();
            });
        }

        return channel.Reader;
    }

    /// <summary>Every object and the resourceVersion counter, as one JSON document (what --state-dir keeps on disk).</summary>
    public JsonObject Snapshot()
    {
        lock (_lock)
        {
            var objects = new JsonObject();
            foreach (var (resource, bucket) in _objects)
            {
                objects[resource] = new JsonArray(bucket.Values.Select(o => (JsonNode)Clone(o)).ToArray());
            }

            return new JsonObject { ["resourceVersion"] = _resourceVersion, ["objects"] = objects };
        }
    }

    /// <summary>
    /// A store holding a <see cref="Snapshot"/>'s objects at its resourceVersion, with no event history: as an API
    /// server that restarts on the same etcd, a watch from any older resourceVersion is told it is Gone.
    /// </summary>
    public static ObjectStore FromSnapshot(JsonObject snapshot, int historyLimit = 20_000, TimeProvider? time = null)
    {
        var store = new ObjectStore(historyLimit, time, (long?)snapshot["resourceVersion"] ?? throw new ArgumentException("the snapshot has no resourceVersion"));
        foreach (var (resource, items) in snapshot["objects"] as JsonObject ?? [])
        {
            var bucket = store.Bucket(resource);
            foreach (var item in items?.AsArray().OfType<JsonObject>() ?? [])
            {
                bucket[Key(NamespaceOf(item), NameOf(item))] = Clone(item);
            }
        }

        return store;
    }

    /// <summary>Forgets history up to now, so any older resourceVersion is Gone (a compaction, for tests).</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _history.Clear();
            _snapshots.Clear();
            _snapshotOrder.Clear();
        }
    }

    /// <summary>
    /// Keeps the objects of a revision for the chunks that follow. Stored objects are never changed in place (every
    /// write stores a new copy), so a snapshot is only the ordered references.
    /// </summary>
    private void KeepSnapshot(string resource, long rv, KeyValuePair<string, JsonObject>[] items)
    {
        _snapshots[(resource, rv)] = items;
        _snapshotOrder.Enqueue((resource, rv));
        while (_snapshotOrder.Count > 16)
        {
            _snapshots.Remove(_snapshotOrder.Dequeue());
        }
    }

    /// <summary>The index of the first key not before <paramref name="key"/> (keys are in ordinal order).</summary>
    private static int LowerBound(KeyValuePair<string, JsonObject>[] items, string key)
    {
        int low = 0, high = items.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (string.CompareOrdinal(items[mid].Key, key) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private void Commit(string resource, string ns, JsonObject stored, WatchEventType type)
    {
        _resourceVersion++;
        Metadata(stored)["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        var e = new StoredEvent(_resourceVersion, type, resource, ns, stored);
        _history.AddLast(e);
        while (_history.Count > _historyLimit)
        {
            _history.RemoveFirst();
        }

        foreach (var s in _subscriptions.Where(s => Matches(e, s.Resource, s.Namespace)))
        {
            s.Writer.TryWrite(e with { Item = Clone(stored) });
        }
    }

    private static bool Matches(StoredEvent e, string? resource, string? ns) =>
        (resource is null || e.Resource == resource) && (ns is null || e.Namespace == ns);

    private SortedDictionary<string, JsonObject> Bucket(string resource)
    {
        if (!_objects.TryGetValue(resource, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[resource] = bucket;
        }

        return bucket;
    }

    private static string Key(string ns, string name) => ns + "/" + name;

    private static JsonObject Metadata(JsonObject obj) =>
        obj["metadata"] as JsonObject ?? throw new ArgumentException("object has no metadata");

    private static string NameOf(JsonObject obj) =>
        (string?)Metadata(obj)["name"] ?? throw new ArgumentException("object has no metadata.name");

    private static string NamespaceOf(JsonObject obj) => (string?)Metadata(obj)["namespace"] ?? string.Empty;

    private static JsonObject Clone(JsonObject obj) => (JsonObject)obj.DeepClone();

    private sealed record Subscription(string? Resource, string? Namespace, ChannelWriter<StoredEvent> Writer);
}
