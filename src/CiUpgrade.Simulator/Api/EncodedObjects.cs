using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Registry;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// The wire bytes of each stored object as a LIST serves it (decorated, kind and apiVersion first), encoded on its
/// first read and kept while that version of the object lives. kube-apiserver does the same: its watch cache keeps
/// each object's serialization per encoder, so a LIST or many watchers of one object version encode it once
/// (KEP-1152 "Less object serializations", k8s.io/apiserver/pkg/storage/cacher/caching_object.go). Stored objects are
/// never changed in place (<see cref="Storage.ObjectStore"/>: every write stores a new object), so bytes never go
/// stale: a new version is a new key, and a dropped version's bytes go with it (weak keys). Thread-safe.
/// </summary>
internal sealed class EncodedObjects(ResourceRegistry registry)
{
    private readonly ConditionalWeakTable<JsonObject, byte[]> _bytes = new();

    /// <summary>The bytes of <paramref name="stored"/> (an object the store holds, never changed) served at <paramref name="target"/>.</summary>
    public byte[] Of(JsonObject stored, ResourcePath target)
    {
        if (_bytes.TryGetValue(stored, out var bytes))
        {
            return bytes;
        }

        // Two readers may encode one object at once: the same bytes, the first kept.
        return _bytes.GetValue(stored, _ => Encode(stored, target));
    }

    /// <summary>What a handler writes for one object: a copy, decorated (never stored), with the type of the request's path.</summary>
    public JsonObject Decorated(JsonObject stored, ResourcePath target)
    {
        var copy = RequestHandler.WithKind(stored, target);
        registry.StrategyFor(target.Type.Plural).Decorate(copy);
        return copy;
    }

    private byte[] Encode(JsonObject stored, ResourcePath target) =>
        Encoding.UTF8.GetBytes(Decorated(stored, target).ToJsonString(RequestHandler.Wire));
}
