using System.Text.RegularExpressions;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// Runbook step 9, made exact: every container and init container image of the DC comes from the plan's
/// repository and is pinned as `@sha256:` + 64 hex, and each image an ImageChange trigger manages equals what
/// its image stream tag resolves to now.
/// </summary>
public static partial class DigestCheck
{
    public static DigestResult Check(VerifyCheck check, DeploymentConfig? dc, IReadOnlyDictionary<string, ImageStream> streams, string? repositoryOverride = null)
    {
        if (dc is null)
        {
            return check.Optional
                ? new DigestResult(check.DeploymentConfig, CheckOutcome.Skipped, $"optional DeploymentConfig {check.DeploymentConfig} is not part of this install", [])
                : new DigestResult(check.DeploymentConfig, CheckOutcome.Failed, $"DeploymentConfig {check.DeploymentConfig} not found", [$"expected DeploymentConfig {check.DeploymentConfig} to exist"]);
        }

        var repository = repositoryOverride ?? check.Repository;
        var pinned = new Regex("^" + Regex.Escape(repository) + "@sha256:[0-9a-f]{64}$", RegexOptions.CultureInvariant);
        var problems = new List<string>();
        var spec = dc.Spec.Template?.Spec;
        var containers = (spec?.InitContainers ?? []).Select(c => (c.Name, c.Image, Kind: "init container"))
            .Concat((spec?.Containers ?? []).Select(c => (c.Name, c.Image, Kind: "container"))).ToList();
        foreach (var (name, image, kind) in containers)
        {
            if (!pinned.IsMatch(image ?? string.Empty))
            {
                problems.Add($"{kind} {name}: expected {repository}@sha256:<64 hex digits>, actual {image}");
            }
        }

        foreach (var trigger in dc.Spec.Triggers ?? [])
        {
            if (trigger.ImageChangeParams is not { } p || TagResolution.Split(p.From?.Name) is not var (streamName, tag))
            {
                continue;
            }

            var resolved = streams.TryGetValue(streamName, out var stream) ? TagResolution.Resolve(stream, tag) : null;
            foreach (var (name, image, kind) in containers.Where(c => p.ContainerNames?.Contains(c.Name) == true))
            {
                if (resolved is null)
                {
                    problems.Add($"{kind} {name}: expected the image {streamName}:{tag} resolves to, but that tag has no image");
                }
                else if (image != resolved)
                {
                    problems.Add($"{kind} {name}: expected {resolved} ({streamName}:{tag}), actual {image}");
                }
            }
        }

        return problems.Count == 0
            ? new DigestResult(dc.Metadata.Name, CheckOutcome.Passed, $"{containers.Count} images from {repository}, pinned by digest", [])
            : new DigestResult(dc.Metadata.Name, CheckOutcome.Failed, problems[0], problems);
    }
}
