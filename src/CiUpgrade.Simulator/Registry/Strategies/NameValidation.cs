using System.Text.RegularExpressions;

namespace CiUpgrade.Simulator.Registry.Strategies;

/// <summary>Object name rules of k8s.io/apimachinery/pkg/util/validation (IsDNS1123Subdomain).</summary>
public static partial class NameValidation
{
    public static IEnumerable<FieldError> Check(string name)
    {
        if (name.Length == 0)
        {
            yield return new FieldError("metadata.name", "FieldValueRequired", "Required value: name or generateName is required");
        }
        else if (name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
        {
            yield return new FieldError("metadata.name", "FieldValueInvalid",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}
