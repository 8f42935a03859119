using System.Text.RegularExpressions;

namespace CiUpgrade.Rules;

/// <summary>
/// What the system-oracle build context must hold for its Dockerfile to build: the Dockerfile itself and, in
/// oracle-client-files/, the three Instant Client packages the 3scale system-oracle README names (the Dockerfile
/// COPYs instantclient-basic*-linux.x64*.zip, instantclient-sdk-linux.x64*.zip and instantclient-odbc-linux.x64*.zip).
/// </summary>
public static partial class OracleClientPackages
{
    public const string ClientFolder = "oracle-client-files";

    private static readonly (string What, Regex Pattern)[] Required =
    [
        ("Dockerfile (the system-oracle build context of 3scale-amp-openshift-templates)", DockerfileRegex()),
        ($"{ClientFolder}/instantclient-basic-linux.x64-*.zip or instantclient-basiclite-linux.x64-*.zip", BasicRegex()),
        ($"{ClientFolder}/instantclient-sdk-linux.x64-*.zip", SdkRegex()),
        ($"{ClientFolder}/instantclient-odbc-linux.x64-*.zip", OdbcRegex()),
    ];

    /// <summary>The required entries that none of <paramref name="files"/> (paths relative to the directory, '/'-separated) satisfies.</summary>
    public static IReadOnlyList<string> Missing(IEnumerable<string> files)
    {
        var list = files.ToList();
        return Required.Where(r => !list.Any(f => r.Pattern.IsMatch(f))).Select(r => r.What).ToList();
    }

    [GeneratedRegex("^Dockerfile$", RegexOptions.CultureInvariant)]
    private static partial Regex DockerfileRegex();

    [GeneratedRegex("^oracle-client-files/instantclient-basic[^/]*-linux\\.x64[^/]*\\.zip$", RegexOptions.CultureInvariant)]
    private static partial Regex BasicRegex();

    [GeneratedRegex("^oracle-client-files/instantclient-sdk-linux\\.x64[^/]*\\.zip$", RegexOptions.CultureInvariant)]
    private static partial Regex SdkRegex();

    [GeneratedRegex("^oracle-client-files/instantclient-odbc-linux\\.x64[^/]*\\.zip$", RegexOptions.CultureInvariant)]
    private static partial Regex OdbcRegex();
}
