using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Storage;
using Microsoft.AspNetCore.Http;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// <c>limit</c> and <c>continue</c> of a LIST (API chunking, on by default since Kubernetes 1.9, so on OpenShift 3.11
/// too): a chunk of at most <c>limit</c> objects and a continue token for the rest, every chunk read at the revision
/// of the first (k8s.io/apiserver storage/etcd3/store.go GetList).
/// </summary>
public sealed record ListChunking(int Limit, long? ResourceVersion, string? StartKey, string? Namespace)
{
    /// <summary>Null for a plain LIST (no positive limit, no continue token).</summary>
    public static ListChunking? Parse(IQueryCollection query, string? ns)
    {
        var limitText = query["limit"].ToString();
        long limit = 0;
        if (limitText.Length > 0 && !long.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit))
        {
            throw new ApiError(400, "BadRequest", $"limit: Invalid value: \"{limitText}\": must be an integer");
        }

        var token = query["continue"].ToString();
        if (token.Length == 0)
        {
            return limit > 0 ? new ListChunking(Clamp(limit), null, null, ns) : null;
        }

        var resourceVersion = query["resourceVersion"].ToString();
        if (resourceVersion.Length > 0 && resourceVersion != "0")
        {
            throw new ApiError(400, "BadRequest", "specifying resource version is not allowed when using continue");
        }

        var (rv, start) = ContinueToken.Decode(token, ns);
        return new ListChunking(limit > 0 ? Clamp(limit) : int.MaxValue, rv, start, ns);
    }

    /// <summary>
    /// The chunk; a revision no longer kept (compacted) is 410 Expired with the API server's message and a token for an
    /// inconsistent remainder at the current revision (etcd3 store.go compactedContinue). The items are the stored
    /// objects, to be read only (<see cref="ObjectStore.ListChunkShared"/>).
    /// </summary>
    public ListChunk Read(ResourceRegistry registry, string plural, string? ns, Func<JsonObject, bool> matches)
    {
        try
        {
            return registry.Store.ListChunkShared(plural, ns, matches, Limit, ResourceVersion, StartKey);
        }
        catch (StoreException e) when (e.Error == StoreError.Gone)
        {
            throw new ApiError(410, "Expired",
                "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, "
                + "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an "
                + "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            {
                ListContinue = ContinueToken.Encode(-1, StartKey!, Namespace),
            };
        }
    }

    private static int Clamp(long limit) => (int)Math.Min(limit, int.MaxValue);
}
