using System.Text;
using CiUpgrade.Plans;

namespace CiUpgrade.Stages;

/// <summary>
/// The guide's `oc get secret system-seed -o json | jq -r .data.MASTER_ACCESS_TOKEN | base64 -d` ("must not be
/// empty"): the value the hook command needs. Registered with the run's <see cref="Reporting.SecretMask"/> before
/// anything can print it.
/// </summary>
public static class PreHookToken
{
    public static async Task<string> ReadAsync(StageContext context, PreHookSetting hook, CancellationToken ct)
    {
        var secret = await context.Client.GetSecretAsync(hook.Secret, ct)
            ?? throw new UpgradeException(ExitCode.WrongClusterState,
                $"secret {hook.Secret} not found in namespace {context.Namespace}: {hook.DeploymentConfig}'s pre hook needs its key {hook.Key}; restore the secret of the 3scale install (it is in the backup), then rerun");
        var token = secret.Data?.TryGetValue(hook.Key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"secret {hook.Secret} in namespace {context.Namespace} has {(token is null ? "no key" : "an empty key")} {hook.Key}: {hook.DeploymentConfig}'s pre hook needs the master access token; set it in the secret, then rerun");
        }

        context.Reporter.Secrets.Add(token);
        // As it appears inside a patch shown in the output (spelled as sent, GoJsonEncoding), should it hold a character JSON escapes.
        context.Reporter.Secrets.Add(Cluster.GoJsonEncoding.Serialize(token)[1..^1]);
        return token;
    }

    /// <summary>
    /// For the read-only checks (verify, drift): mask the token when these credentials may read it; otherwise only its
    /// `KEY=value` shape is masked. Never fails the check.
    /// </summary>
    public static async Task MaskIfReadableAsync(StageContext context, PreHookSetting? hook, CancellationToken ct)
    {
        if (hook is null)
        {
            return;
        }

        try
        {
            await ReadAsync(context, hook, ct);
        }
        catch (Exception e) when (e is UpgradeException or Cluster.ClusterRequestException)
        {
            // Not readable here (no permission, no secret): the shape mask still applies.
        }
    }
}
