namespace CiUpgrade.Reporting;

/// <summary>
/// Secret values read during this run (MASTER_ACCESS_TOKEN) and shapes of secrets (`KEY=value`): every line ciupgrade
/// writes — events and their fields, the error line, debug traces — passes through <see cref="Apply"/>, which shows
/// each as ***. One per invocation; thread-safe.
/// </summary>
public sealed class SecretMask
{
    private readonly Lock _lock = new();
    private readonly List<string> _secrets = [];
    private readonly List<Func<string, string>> _filters = [];

    /// <summary>A rule that masks secrets by their shape (e.g. `MASTER_ACCESS_TOKEN=value`), for runs that never read the value.</summary>
    public void AddFilter(Func<string, string> filter)
    {
        lock (_lock)
        {
            _filters.Add(filter);
        }
    }

    public void Add(string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        lock (_lock)
        {
            if (!_secrets.Contains(secret))
            {
                _secrets.Add(secret);
                _secrets.Sort((a, b) => b.Length.CompareTo(a.Length)); // longest first, so no secret is left half-masked
            }
        }
    }

    public string Apply(string text)
    {
        lock (_lock)
        {
            foreach (var secret in _secrets)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }

            return _filters.Aggregate(text, (t, filter) => filter(t));
        }
    }
}
