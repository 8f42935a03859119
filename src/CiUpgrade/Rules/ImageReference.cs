using System.Text.RegularExpressions;

namespace CiUpgrade.Rules;

/// <summary>
/// Whether a string parses as a container image reference, by the grammar of distribution/reference
/// (reference.go: name [":" tag] ["@" digest]; name = [domain "/"] path-component ("/" path-component)*,
/// lowercase path components with "." "_" "__" or "-"+ separators, at most 255 characters; tag [\w][\w.-]{0,127};
/// digest algorithm ":" at least 32 hex), which is what OpenShift's image reference parsing accepts.
/// </summary>
public static partial class ImageReference
{
    private const int NameTotalLengthMax = 255;

    public static bool IsValid(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var match = Reference().Match(text);
        return match.Success && match.Groups["name"].Length <= NameTotalLengthMax;
    }

    [GeneratedRegex(@"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*)(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")]
    private static partial Regex Reference();
}
