using System.Text.RegularExpressions;

namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>
/// Pull spec validation as openshift-apiserver does it (origin pkg/image/apis/image ParseDockerImageReference →
/// parseNamedDockerImageReference → github.com/docker/distribution/reference.Parse, whose grammar and error texts
/// are restated here; the digest is checked as opencontainers/go-digest Digest.Validate does).
/// </summary>
public static partial class ImageReference
{
    private const int NameTotalLengthMax = 255;

    /// <summary>Null when <paramref name="spec"/> parses; otherwise the error text the real parser gives.</summary>
    public static string? Error(string spec)
    {
        var match = Reference().Match(spec);
        if (!match.Success)
        {
            if (spec.Length == 0)
            {
                return "repository name must have at least one component";
            }

            return Reference().IsMatch(spec.ToLowerInvariant())
                ? "invalid reference format: repository name must be lowercase"
                : "invalid reference format";
        }

        if (match.Groups["name"].Length > NameTotalLengthMax)
        {
            return $"repository name must not be more than {NameTotalLengthMax} characters";
        }

        return match.Groups["digest"].Success ? DigestError(match.Groups["digest"].Value) : null;
    }

    private static string? DigestError(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        var (algorithm, encoded) = (digest[..colon], digest[(colon + 1)..]);
        int? size = algorithm switch { "sha256" => 32, "sha384" => 48, "sha512" => 64, _ => null };
        if (size is null)
        {
            return "unsupported digest algorithm";
        }

        if (encoded.Length != size * 2)
        {
            return "invalid checksum digest length";
        }

        return LowerHex().IsMatch(encoded) ? null : "invalid checksum digest format";
    }

    // distribution/reference regexp.go: name (domain optional) ":" tag "@" digest, each part optional but the name.
    // Go's regexp is linear time; the separator `[-]*` may be empty, which makes a backtracking engine exponential.
    [GeneratedRegex(@"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Reference();

    [GeneratedRegex("^[a-f0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LowerHex();
}
