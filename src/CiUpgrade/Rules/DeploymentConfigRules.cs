using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The rules one DC of the plan must satisfy after the upgrade, shared by verify and drift (pure: the stages read,
/// these decide):
/// 1. every container and init container an ImageChange trigger names runs exactly the image the plan's target tag
///    `&lt;stream&gt;:&lt;target&gt;` resolves to (its newest status item), and the trigger's own tag resolves to that image too;
///    a target tag without an image names its import condition. On an Oracle-backed install whose build owns
///    amp-system:latest, the image is the one a build pushed, and that build's recorded base must be what
///    amp-system:&lt;target&gt; resolves to;
/// 2. every such image, and every other container from a plan repository, is `&lt;repository&gt;@sha256:&lt;64 hex&gt;`;
///    a container no trigger manages and from no plan repository (an injected sidecar) is only noted;
/// 3. what runs is that template: the latest deployment `&lt;dc&gt;-&lt;latestVersion&gt;` carries it, is Complete, its
///    generation observed, the replicas updated and available (`oc rollout status`); paused or a failed latest
///    deployment fail with that reason and the RC that still serves; a DC at 0 replicas is judged the same way and
///    then skipped as scaled to zero, or failed when the plan marks it mustRun (<see cref="ScaledToZero"/>);
/// 4. a trigger's from.namespace is honoured: the stream is read there, or the DC is reported as not checkable.
/// An image chosen with --system-image (<see cref="ChosenImage"/>: given to verify, else recorded on the system
/// stream's target tag) replaces the plan's for the system stream: its target tag must name the chosen image, and the
/// DCs it triggers must run from the chosen image's repository.
/// </summary>
public static partial class DeploymentConfigRules
{
    public static DeploymentJudgement Judge(UpgradePlan plan, VerifyCheck check, NamespaceState state, string? systemImage = null)
    {
        var name = check.DeploymentConfig;
        var dc = state.DeploymentConfigs.GetValueOrDefault(name);
        if (dc is null)
        {
            return check.Optional
                ? new DeploymentJudgement(name, $"optional DeploymentConfig {name} is not part of this install", [], [], [], string.Empty, string.Empty)
                : new DeploymentJudgement(name, null, [$"DeploymentConfig {name} not found: the plan expects it"], [], [], string.Empty, string.Empty);
        }

        var imageProblems = new List<string>();
        var notes = new List<string>();
        var spec = dc.Spec.Template?.Spec;
        var containers = (spec?.InitContainers ?? []).Select(c => (c.Name, c.Image, Kind: "init container"))
            .Concat((spec?.Containers ?? []).Select(c => (c.Name, c.Image, Kind: "container"))).ToList();
        var chosen = ChosenImage.For(plan, state.Streams, systemImage);
        var expected = ExpectedImages(plan, dc, state, chosen, imageProblems);

        var repository = Repository(plan, check, dc, state, chosen);
        var planRepositories = PlanRepositories(plan).Append(repository).ToHashSet(StringComparer.Ordinal);
        foreach (var (container, image, kind) in containers)
        {
            var managed = expected.TryGetValue(container, out var want);
            if (!managed && !planRepositories.Contains(RepositoryOf(image)))
            {
                notes.Add($"{kind} {container} runs {image}: no image trigger manages it and it is not from a plan repository, so it is not checked (a sidecar?)");
                continue;
            }

            if (managed && want!.Image is { } target && image != target)
            {
                imageProblems.Add($"{kind} {container} runs {image}, the plan expects {target} ({want.Source}){(want.Manual ? $"; its image trigger is manual: run `oc set triggers dc/{name} --auto`" : string.Empty)}");
            }
            else if (!PinnedByDigest(image, repository))
            {
                imageProblems.Add($"{kind} {container} runs {image}, expected {repository}@sha256:<64 hex digits>");
            }
        }

        if (expected.Values.FirstOrDefault(e => e.Oracle) is not null)
        {
            imageProblems.AddRange(OracleBuildProblems(plan, state, containers.Where(c => expected.GetValueOrDefault(c.Name)?.Oracle == true).Select(c => (c.Name, c.Image, c.Kind))));
        }

        var rolloutProblems = RolloutProblems(dc, state);
        var scaledToZero = ScaledToZero.Is(dc);
        if (scaledToZero && check.MustRun)
        {
            rolloutProblems = [ScaledToZero.Required(name), .. rolloutProblems];
        }

        var managedCount = containers.Count(c => expected.ContainsKey(c.Name));
        return new DeploymentJudgement(name, null, imageProblems.Distinct(StringComparer.Ordinal).ToList(), rolloutProblems, notes,
            $"{managedCount} trigger-managed images on the plan's {plan.Target}, from {repository}, pinned by digest",
            $"latest deployment {RolloutState.RcName(dc)} complete, {dc.Status.AvailableReplicas}/{dc.Spec.Replicas} available")
        {
            ScaledToZero = scaledToZero && !check.MustRun ? ScaledToZero.Note(name) : null,
        };
    }

    /// <summary>
    /// Rule 3: what runs is the DC's template, fully rolled out (oc rollout status with the RC's phase). 0 replicas is
    /// no problem here: the latest deployment still has to be complete with the template (<see cref="ScaledToZero"/>).
    /// </summary>
    public static IReadOnlyList<string> RolloutProblems(DeploymentConfig dc, NamespaceState state)
    {
        var name = dc.Metadata.Name;
        if (dc.Spec.Paused == true)
        {
            return [$"DeploymentConfig {name} is paused: resume it with `oc rollout resume dc/{name}`"];
        }

        if (dc.Status.LatestVersion == 0)
        {
            return [$"DeploymentConfig {name} has never rolled out (latestVersion 0)"];
        }

        if (RolloutState.NotObserved(dc) is { } notObserved)
        {
            return [notObserved];
        }

        var rcs = state.ReplicationControllers.GetValueOrDefault(name) ?? [];
        var rcName = RolloutState.RcName(dc);
        var latest = rcs.FirstOrDefault(rc => rc.Metadata.Name == rcName);
        if (latest is null)
        {
            return [$"latest deployment {rcName} does not exist"];
        }

        var serving = RolloutState.OthersServing(rcs, rcName).FirstOrDefault()?.Metadata.Name;
        var phase = RolloutState.Phase(latest) ?? "unknown";
        if (phase != "Complete")
        {
            return [$"latest deployment {rcName} is {phase}{(phase == "Failed" ? string.Empty : ", not Complete")}{(serving is null ? string.Empty : $"; {serving} still serves")}"];
        }

        var problems = new List<string>();
        var template = Images(dc.Spec.Template?.Spec);
        var deployed = Images(latest.Spec?.Template?.Spec);
        foreach (var (container, image) in template.Where(kv => deployed.GetValueOrDefault(kv.Key) != kv.Value))
        {
            problems.Add($"latest deployment {rcName} runs {deployed.GetValueOrDefault(container) ?? "no container"} for {container}, not the template's {image}");
        }

        if (RolloutState.ReplicaProblem(dc) is { } replicas)
        {
            problems.Add($"{replicas}{(serving is null ? string.Empty : $"; {serving} still serves")}");
        }
        else if (serving is not null)
        {
            problems.Add($"{serving} still has replicas next to the latest deployment {rcName}");
        }

        return problems;
    }

    private sealed record Expected(string? Image, string Source, bool Manual, bool Oracle);

    /// <summary>Rules 1 and 4: per trigger-managed container, the image the plan's target resolves to (null when unknown, with the problem recorded).</summary>
    private static Dictionary<string, Expected> ExpectedImages(UpgradePlan plan, DeploymentConfig dc, NamespaceState state, string? chosen, List<string> problems)
    {
        var result = new Dictionary<string, Expected>(StringComparer.Ordinal);
        foreach (var p in (dc.Spec.Triggers ?? []).Select(t => t.ImageChangeParams).OfType<ImageChangeParams>())
        {
            if (TagResolution.Split(p.From?.Name) is not var (streamName, tag))
            {
                continue;
            }

            var foreign = TriggeredImages.IsForeign(dc, p);
            var key = foreign ? $"{p.From!.NamespaceProperty}/{streamName}" : streamName;
            ImageStream? stream;
            if (foreign && state.UnreadableStreams.TryGetValue(key, out var why))
            {
                problems.Add($"image trigger {key}:{tag} cannot be checked: {why}");
                continue;
            }

            stream = foreign ? state.ForeignStreams.GetValueOrDefault(key) : state.Streams.GetValueOrDefault(streamName);
            if (stream is null)
            {
                problems.Add($"image trigger {key}:{tag}: image stream {key} not found");
                continue;
            }

            var manual = p.Automatic != true;
            Expected expected;
            var step = foreign ? null : plan.ImageStreams.FirstOrDefault(s => s.Name == streamName);
            if (step is null)
            {
                // Not a stream the plan retags: the DC must follow what its tag resolves to now.
                var resolved = TagResolution.Resolve(stream, tag);
                if (resolved is null)
                {
                    problems.Add($"image trigger {key}:{tag}: {NoImage(stream, key, tag)}");
                }

                expected = new Expected(resolved, $"{key}:{tag}", manual, false);
            }
            else if (streamName == plan.Oracle.ImageStream && OracleImages.BuildOwnsLatest(stream))
            {
                // The Oracle build pushes latest; which base it was built on is checked against its build below.
                expected = new Expected(TagResolution.Resolve(stream, tag), $"{key}:{tag}, pushed by a build of {plan.Oracle.BuildConfig}", manual, true);
            }
            else
            {
                var target = TagResolution.Resolve(stream, plan.Target);
                var followed = TagResolution.Resolve(stream, tag);
                var named = stream.Spec.Tags?.FirstOrDefault(t => t.Name == plan.Target)?.From;
                if (streamName == plan.Oracle.ImageStream && chosen is not null && (named?.Kind != "DockerImage" || named.Name != chosen))
                {
                    problems.Add($"{key}:{plan.Target} names {(named is null ? "no image" : $"{named.Kind} {named.Name}")}, not the chosen system image {chosen} (--system-image)");
                }

                if (target is null)
                {
                    problems.Add($"{key}:{plan.Target} {NoImage(stream, key, plan.Target)}");
                }
                else if (tag != plan.Target && followed != target)
                {
                    problems.Add($"image trigger {key}:{tag} resolves to {followed ?? "nothing"}, not to what {key}:{plan.Target} resolves to ({target})");
                }

                expected = new Expected(target, $"{key}:{plan.Target}", manual, false);
            }

            foreach (var container in p.ContainerNames ?? [])
            {
                result[container] = expected;
            }
        }

        return result;
    }

    /// <summary>"has no imported image: import failed (Unauthorized): …" — what the tag's import condition says.</summary>
    private static string NoImage(ImageStream stream, string key, string tag)
    {
        var failure = TagResolution.LastImportFailure(stream, tag);
        var specTag = stream.Spec.Tags?.FirstOrDefault(t => t.Name == tag);
        if (specTag is null && failure is null)
        {
            return $"does not exist (no spec tag {tag} in image stream {key})";
        }

        return failure is null
            ? "has no imported image yet (no import condition: the import has not finished)"
            : $"has no imported image: import failed ({failure.Reason}): {failure.Message}";
    }

    /// <summary>The Oracle rule: each image the system DCs run was pushed by a build of the plan's BuildConfig whose base is amp-system:&lt;target&gt;.</summary>
    private static IEnumerable<string> OracleBuildProblems(UpgradePlan plan, NamespaceState state, IEnumerable<(string Name, string Image, string Kind)> containers)
    {
        var stream = state.Streams.GetValueOrDefault(plan.Oracle.ImageStream);
        var targetBase = stream is null ? null : TagResolution.Resolve(stream, plan.Target);
        foreach (var (container, image, kind) in containers)
        {
            var digest = image.Split('@') is [_, var d] ? d : null;
            var build = state.OracleBuilds.Where(b => digest is not null && b.Status.Output?.To?.ImageDigest == digest)
                .OrderByDescending(b => b.Metadata.CreationTimestamp ?? DateTime.MinValue).FirstOrDefault();
            var recordedBase = build?.Spec.Strategy?.DockerStrategy?.From?.Name;
            if (build is null)
            {
                yield return $"{kind} {container} runs {image}, which no build of {plan.Oracle.BuildConfig} pushed: rebuild with `ciupgrade build-oracle-system`";
            }
            else if (targetBase is null)
            {
                yield return $"{kind} {container} runs the image of build {build.Metadata.Name}, but {plan.Oracle.ImageStream}:{plan.Target} {(stream is null ? "does not exist" : NoImage(stream, plan.Oracle.ImageStream, plan.Target))}";
            }
            else if (recordedBase != targetBase)
            {
                yield return $"{kind} {container} runs the image of build {build.Metadata.Name}, built on {recordedBase ?? "no recorded base"}, not on {plan.Oracle.ImageStream}:{plan.Target} ({targetBase}): rebuild with `ciupgrade build-oracle-system`";
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="image"/> is exactly <c>repository@sha256:</c> and 64 lowercase hex digits: compared as text,
    /// not through a regular expression built for each DC (each construction parses the pattern and builds its interpreter).
    /// </summary>
    internal static bool PinnedByDigest(string? image, string repository)
    {
        const string digest = "@sha256:";
        return image is not null
            && image.Length == repository.Length + digest.Length + 64
            && image.StartsWith(repository, StringComparison.Ordinal)
            && image.AsSpan(repository.Length, digest.Length).SequenceEqual(digest)
            && !image.AsSpan(repository.Length + digest.Length).ContainsAnyExcept("0123456789abcdef");
    }

    /// <summary>
    /// The plan's repository for this DC; the internal registry's when the Oracle build owns amp-system:latest; the
    /// chosen system image's when one was chosen and the system stream triggers this DC.
    /// </summary>
    private static string Repository(UpgradePlan plan, VerifyCheck check, DeploymentConfig dc, NamespaceState state, string? chosen) =>
        OracleImages.RepositoryOverrides(plan.Oracle.ImageStream, state.Streams, [dc]).GetValueOrDefault(dc.Metadata.Name)
        ?? (chosen is not null && InstallInspection.Triggered([dc], plan.Oracle.ImageStream).Count > 0 ? RepositoryOf(chosen) : check.Repository);

    private static IEnumerable<string> PlanRepositories(UpgradePlan plan) =>
        plan.Verify.Select(v => v.Repository).Concat(plan.ImageStreams.Select(s => RepositoryOf(s.Image)));

    /// <summary>"registry/ns/name@sha256:…" or "registry:5000/ns/name:tag" → "registry/ns/name" (registry:5000/…).</summary>
    public static string RepositoryOf(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return string.Empty;
        }

        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return image[..at];
        }

        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }

    private static Dictionary<string, string> Images(k8s.Models.V1PodSpec? spec) =>
        (spec?.InitContainers ?? []).Concat(spec?.Containers ?? []).GroupBy(c => c.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Image, StringComparer.Ordinal);
}
