using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>
/// Reads from the cluster what <see cref="MigrationCheck"/> judges: system-app's replication controllers, their pre hook
/// pods (the deployer's record of what ran, and on which image), and for a deployment whose hook pod is gone the DC it
/// was made from (its encoded-deployment-config annotation, one GET of that RC).
/// </summary>
public sealed class MigrationReader(StageContext context)
{
    private const string EncodedConfig = "openshift.io/encoded-deployment-config";

    public async Task<MigrationEvidence?> FindAsync(BackupContent backup, long restoredThrough, CancellationToken ct)
    {
        if (context.Plan.PreHook is not { } hook)
        {
            return null; // a plan without a hook step migrates nothing this tool knows of
        }

        var listing = context.Client.ListReplicationControllersAsync(hook.DeploymentConfig, ct);
        var hookPods = context.Client.ListPodsAsync("openshift.io/deployer-pod.type=hook-pre", ct);
        await Task.WhenAll(listing, hookPods);
        var deployments = new List<Deployment>();
        foreach (var rc in await listing)
        {
            var version = Version(rc);
            if (version <= restoredThrough)
            {
                continue;
            }

            var pod = (await hookPods).FirstOrDefault(p => p.Metadata.Labels?.TryGetValue("openshift.io/deployer-pod-for.name", out var owner) == true && owner == rc.Metadata.Name);
            var images = (rc.Spec?.Template?.Spec?.Containers ?? []).ToDictionary(c => c.Name, c => c.Image, StringComparer.Ordinal);
            var encoded = pod is null ? await EncodedHookAsync(rc.Metadata.Name, ct) : null;
            deployments.Add(new Deployment(rc.Metadata.Name, version, rc.Metadata.Annotations?.TryGetValue(RolloutState.PhaseAnnotation, out var phase) == true ? phase : null,
                images, encoded, pod));
        }

        return MigrationCheck.Find(hook, context.Plan.Target, deployments, backup.Images.GetValueOrDefault(hook.DeploymentConfig) ?? new Dictionary<string, string>(), restoredThrough);
    }

    private async Task<(IReadOnlyList<string> Command, string Container)?> EncodedHookAsync(string rc, CancellationToken ct)
    {
        var full = await context.Client.GetReplicationControllerAsync(rc, ct);
        if (full?.Metadata.Annotations?.TryGetValue(EncodedConfig, out var encoded) != true)
        {
            return null;
        }

        try
        {
            if (JsonNode.Parse(encoded!) is not JsonObject dc || PreHookCommand.Saved(dc) is not { } command)
            {
                return null;
            }

            var strategy = dc["spec"]?["strategy"];
            var parameters = BackupValidation.Str(strategy?["type"]) == "Recreate" ? strategy?["recreateParams"] : strategy?["rollingParams"];
            return (command, BackupValidation.Str(parameters?["pre"]?["execNewPod"]?["containerName"]) ?? string.Empty);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long Version(k8s.Models.V1ReplicationController rc) =>
        rc.Metadata.Annotations?.TryGetValue("openshift.io/deployment-config.latest-version", out var v) == true && long.TryParse(v, CultureInfo.InvariantCulture, out var n)
            ? n
            : long.TryParse(rc.Metadata.Name[(rc.Metadata.Name.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture, out var fromName) ? fromName : 0;
}
