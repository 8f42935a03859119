using System.Security.Cryptography;
using System.Text;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>Deterministic stand-ins for registry lookups: a pull spec always "resolves" to the same digest.</summary>
public static class ImageDigests
{
    public static string For(string pullSpec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pullSpec)));

    /// <summary>The repository part of a pull spec: tag and digest dropped (reference.MostSpecific().Exact() keeps repo@digest).</summary>
    public static string Repository(string pullSpec)
    {
        var at = pullSpec.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            pullSpec = pullSpec[..at];
        }

        var slash = pullSpec.LastIndexOf('/');
        var colon = pullSpec.LastIndexOf(':');
        return colon > slash ? pullSpec[..colon] : pullSpec;
    }
}
