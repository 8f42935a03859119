namespace CiUpgrade.Simulator.Seed;

/// <summary>
/// Which 3scale 2.6 install to seed. <see cref="Optional"/>: the optional DCs backend-redis, system-redis and the
/// system database DC are present; <see cref="PostgreSql"/>: system-postgresql instead of system-mysql;
/// <see cref="Oracle"/>: an Oracle-backed system whose amp-system image is built in the cluster.
/// </summary>
public sealed record SeedOptions(bool Oracle = false, bool Optional = true, bool PostgreSql = false)
{
    public static SeedOptions Default { get; } = new();

    /// <summary>Parses "3scale-2.6[,oracle][,no-optional][,postgresql]".</summary>
    public static SeedOptions Parse(string spec)
    {
        var parts = spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] != "3scale-2.6")
        {
            throw new ArgumentException($"unknown seed \"{(parts.Length == 0 ? spec : parts[0])}\" (use 3scale-2.6[,oracle][,no-optional][,postgresql])");
        }

        var options = Default;
        foreach (var part in parts.Skip(1))
        {
            options = part switch
            {
                "oracle" => options with { Oracle = true },
                "no-optional" => options with { Optional = false },
                "postgresql" => options with { PostgreSql = true },
                _ => throw new ArgumentException($"unknown seed variant \"{part}\" (use oracle, no-optional or postgresql)"),
            };
        }

        return options;
    }
}
