using CiUpgrade.Cluster.Models;
using CiUpgrade.Rules;

namespace CiUpgrade.Stages;

/// <summary>The namespace as the stages see it: image streams and DCs (one LIST each), the release, Oracle or not.</summary>
public sealed record InstallSnapshot(
    IReadOnlyDictionary<string, ImageStream> Streams,
    IReadOnlyDictionary<string, DeploymentConfig> DeploymentConfigs,
    string? Release,
    bool Oracle)
{
    public IReadOnlySet<string> DeploymentConfigNames => DeploymentConfigs.Keys.ToHashSet(StringComparer.Ordinal);

    public static async Task<InstallSnapshot> ReadAsync(StageContext context, CancellationToken ct)
    {
        var plan = context.Plan;
        // Independent reads, sent at once (one HTTP/2 connection carries them): the streams, the DCs, the Oracle BuildConfig.
        var listingStreams = context.Client.ListImageStreamsAsync(ct);
        var listingDcs = context.Client.ListDeploymentConfigsAsync(ct);
        var buildConfig = context.Client.BuildConfigExistsAsync(plan.Oracle.BuildConfig, ct);
        await Task.WhenAll(listingStreams, listingDcs, buildConfig);
        var streams = (await listingStreams).Items.ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
        var dcs = (await listingDcs).Items.ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
        if (!dcs.TryGetValue(plan.Release.DeploymentConfig, out var releaseDc))
        {
            throw new UpgradeException(ExitCode.WrongClusterState,
                $"namespace {context.Namespace} holds no 3scale install: DeploymentConfig {plan.Release.DeploymentConfig} not found (check -n/--namespace and --context)");
        }

        var configMaps = new Dictionary<string, k8s.Models.V1ConfigMap?>(StringComparer.Ordinal);
        string? release = null;
        var reference = releaseDc.Spec.Template?.Spec?.Containers?.SelectMany(c => c.Env ?? []).FirstOrDefault(e => e.Name == plan.Release.Env)?.ValueFrom?.ConfigMapKeyRef;
        if (reference is not null)
        {
            configMaps[reference.Name] = await context.Client.GetConfigMapAsync(reference.Name, ct);
        }

        release = ReleaseEnvPatch.CurrentRelease(releaseDc, plan.Release, (name, key) =>
            configMaps.GetValueOrDefault(name)?.Data?.TryGetValue(key, out var value) == true ? value : null);
        // The database URL counts only where the DC holds it literally: the template's secret reference would need
        // read access to the database password, which the Role does not grant.
        var databaseUrl = releaseDc.Spec.Template?.Spec?.Containers?.SelectMany(c => c.Env ?? []).FirstOrDefault(e => e.Name == "DATABASE_URL")?.Value;
        var oracle = InstallInspection.IsOracle(await buildConfig, databaseUrl);
        return new InstallSnapshot(streams, dcs, release, oracle);
    }
}
