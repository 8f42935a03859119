using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The `release` testcase: the release env var (AMP_RELEASE) on every container of the release DC, and on every init
/// container that carries it, equals the plan's target, set literally or read through its ConfigMap (configMapKeyRef):
/// what set-release writes (<see cref="ReleaseEnvPatch"/>).
/// </summary>
public static class ReleaseCheck
{
    public static DigestResult Check(UpgradePlan plan, NamespaceState state)
    {
        var release = plan.Release;
        var name = $"release {release.Env}";
        var dc = state.DeploymentConfigs.GetValueOrDefault(release.DeploymentConfig);
        if (dc is null)
        {
            return new DigestResult(name, CheckOutcome.Failed, $"DeploymentConfig {release.DeploymentConfig} not found: it carries {release.Env}", [$"expected DeploymentConfig {release.DeploymentConfig}"]);
        }

        var problems = new List<string>();
        var carrying = (dc.Spec.Template?.Spec?.InitContainers ?? []).Where(c => c.Env?.Any(e => e.Name == release.Env) == true)
            .Select(c => (Container: c, Kind: "init container"))
            .Concat((dc.Spec.Template?.Spec?.Containers ?? []).Select(c => (Container: c, Kind: "container")));
        foreach (var (container, kind) in carrying)
        {
            var value = Value(container, release, state);
            if (value != plan.Target)
            {
                problems.Add($"{release.Env} on {release.DeploymentConfig} {kind} {container.Name} is {value ?? "(unset)"}, the plan's target is {plan.Target}");
            }
        }

        return problems.Count == 0
            ? new DigestResult(name, CheckOutcome.Passed, $"{release.Env}={plan.Target} on every container of {release.DeploymentConfig}", [])
            : new DigestResult(name, CheckOutcome.Failed, DeploymentJudgement.OneLine(problems), problems);
    }

    private static string? Value(k8s.Models.V1Container container, ReleaseSetting release, NamespaceState state)
    {
        var entry = container.Env?.FirstOrDefault(e => e.Name == release.Env);
        if (entry?.ValueFrom?.ConfigMapKeyRef is { } reference)
        {
            return state.ConfigMapValue(reference.Name, reference.Key) is { } fromMap ? fromMap : $"(unset: ConfigMap {reference.Name} key {reference.Key} not found)";
        }

        return entry?.Value;
    }
}
