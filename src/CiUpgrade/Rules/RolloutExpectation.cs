using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// What the pod template of the rollout we wait for must contain, e.g. the images the image stream tag now
/// resolves to, or AMP_RELEASE=2.7. Checked against the DC and against its latest RC, so an old rollout that
/// finished before the trigger fired is never taken for the new one (openshift-api-detail.md §3.1 trap).
/// </summary>
public sealed record RolloutExpectation(string Description, Func<V1PodSpec?, bool> Matches)
{
    public static RolloutExpectation None { get; } = new("the latest version", _ => true);

    /// <summary>Every named container or init container runs exactly the given image.</summary>
    public static RolloutExpectation Images(IReadOnlyDictionary<string, string> imageByContainer) =>
        new(imageByContainer.Count == 0 ? "the latest version" : "image " + string.Join(", ", imageByContainer.Values.Distinct()), spec =>
            imageByContainer.All(kv => (spec?.Containers ?? []).Concat(spec?.InitContainers ?? [])
                .Where(c => c.Name == kv.Key).All(c => c.Image == kv.Value)));

    /// <summary>Every regular container has the env var set to the literal value.</summary>
    public static RolloutExpectation Env(string name, string value) =>
        new($"{name}={value}", spec => (spec?.Containers ?? []).All(c => c.Env?.Any(e => e.Name == name && e.Value == value && e.ValueFrom is null) == true));
}
