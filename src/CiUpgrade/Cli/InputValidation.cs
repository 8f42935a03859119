using System.Text.RegularExpressions;
using CiUpgrade.Rules;

namespace CiUpgrade.Cli;

/// <summary>
/// Checks every value the user gives on the command line before the first request: one line naming the flag and
/// what it must be, exit 2. (The plan, kubeconfig, baseline and backup files are checked by their readers, also
/// before the first request.)
/// </summary>
public static partial class InputValidation
{
    /// <summary>The longest --timeout: no stage should wait a day, and the waits' timers cannot exceed about 49 days.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    /// <summary>A namespace is a DNS-1123 label (Kubernetes ValidateNamespaceName): at most 63 of [a-z0-9-], alphanumeric at both ends.</summary>
    public static string Namespace(string value, string origin)
    {
        if (value.Length > 63 || !Dns1123Label().IsMatch(value))
        {
            throw new UsageException(
                $"{origin} \"{Shorten(value)}\" is not a valid namespace: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit");
        }

        return value;
    }

    /// <summary>An object name given on the command line: a DNS-1123 subdomain (what DeploymentConfig names must be).</summary>
    public static string ObjectName(string value, string flag)
    {
        if (value.Length > 253 || !Dns1123Subdomain().IsMatch(value))
        {
            throw new UsageException(
                $"{flag} \"{Shorten(value)}\" is not a valid object name: at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit");
        }

        return value;
    }

    public static TimeSpan Timeout(string text)
    {
        var timeout = Durations.Parse(text, "--timeout");
        return timeout <= MaxTimeout ? timeout
            : throw new UsageException($"--timeout {Shorten(text)} is longer than the {DurationText.Format(MaxTimeout)} a stage may wait: use at most 24h");
    }

    /// <summary>
    /// The outage budget, capped at the timeout (an outage never outlasts the stage's own limit). A stage that holds the
    /// namespace lock (<paramref name="holdsLock"/>) may not ride out an outage longer than
    /// <see cref="LockDecision.MaxHolderOutage"/>: it cannot renew the lock meanwhile, and another run would take a live
    /// holder's lock over (review N7). Read-only stages may wait longer.
    /// </summary>
    public static TimeSpan ApiRetryBudget(string text, TimeSpan timeout, bool holdsLock = false)
    {
        var budget = Durations.Parse(text, "--api-retry-budget");
        if (holdsLock && budget > LockDecision.MaxHolderOutage)
        {
            throw new UpgradeException(ExitCode.BadInput,
                $"--api-retry-budget {Shorten(text)} is longer than {DurationText.Format(LockDecision.MaxHolderOutage)}, the longest API outage a stage holding the namespace lock may ride out "
                + $"(another run takes a lock over {DurationText.Format(LockDecision.Staleness)} after its last renewal; renewals every {DurationText.Format(LockDecision.RenewEvery)}, clocks assumed within {DurationText.Format(LockDecision.ClockSkew)}): "
                + $"use at most {DurationText.Format(LockDecision.MaxHolderOutage)}, and rerun the stage after a longer outage");
        }

        return budget < timeout ? budget : timeout;
    }

    public static string? SystemImage(string? value) =>
        value is null || ImageReference.IsValid(value) ? value
            : throw new UsageException(
                $"--system-image \"{Shorten(value)}\" is not an image reference: use registry/repository:tag or registry/repository@sha256:<digest>");

    public static string TokenSource(string value) =>
        value is "auto" or "secret" or "request" ? value : throw new UpgradeException(ExitCode.BadInput, $"--token-source \"{Shorten(value)}\" is not supported: use auto, secret or request");

    /// <summary>A TokenRequest's lifetime: at least the 10 minutes the API server accepts (pkg/apis/authentication/validation).</summary>
    public static TimeSpan TokenLifetime(string text)
    {
        var lifetime = Durations.Parse(text, "--token-lifetime");
        return lifetime >= TimeSpan.FromMinutes(10) ? lifetime
            : throw new UpgradeException(ExitCode.BadInput, $"--token-lifetime {Shorten(text)} is shorter than the 10m the API server accepts: use at least 10m");
    }

    /// <summary>--server: an absolute http(s) URL, as a kubeconfig's cluster.server.</summary>
    public static string? Server(string? value) =>
        value is null || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http") ? value?.TrimEnd('/')
            : throw new UpgradeException(ExitCode.BadInput, $"--server \"{Shorten(value)}\" is not an http(s) URL: use e.g. https://api.cluster.example.com:6443 (or :8443 on OpenShift 3.11)");

    public static string Output(string value) =>
        value is "text" or "json" ? value : throw new UsageException($"--output \"{Shorten(value)}\" is not supported: use text or json");

    /// <summary>A value echoed in a message, cut so that a 100,000-character input does not flood the log.</summary>
    public static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + $"… ({value.Length} characters)";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}
