using k8s.Models;

namespace CiUpgrade.Rules;

/// <summary>
/// What the pod template of the rollout we wait for must contain, e.g. the images the image stream tag now
/// resolves to, or AMP_RELEASE=2.7. Checked against the DC and against its latest RC, so an old rollout that
/// finished before the trigger fired is never taken for the new one (openshift-api-detail.md §3.1 trap).
/// <see cref="ImageByContainer"/> keeps the expected images, so a manual trigger that will never deliver them is named.
/// </summary>
public sealed record RolloutExpectation(string Description, Func<V1PodSpec?, bool> Matches)
{
    public static RolloutExpectation None { get; } = new("the latest version", _ => true);

    public IReadOnlyDictionary<string, string> ImageByContainer { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Every named container or init container runs exactly the given image.</summary>
    public static RolloutExpectation Images(IReadOnlyDictionary<string, string> imageByContainer) =>
        new(imageByContainer.Count == 0 ? "the latest version" : "image " + string.Join(", ", imageByContainer.Values.Distinct()), spec =>
            imageByContainer.All(kv => (spec?.Containers ?? []).Concat(spec?.InitContainers ?? [])
                .Where(c => c.Name == kv.Key).All(c => c.Image == kv.Value)))
        {
            ImageByContainer = imageByContainer,
        };

    /// <summary>Every regular container, and every init container that carries the env var, has it set to the literal value.</summary>
    public static RolloutExpectation Env(string name, string value) =>
        new($"{name}={value}", spec => (spec?.Containers ?? []).All(c => c.Env?.Any(e => e.Name == name && e.Value == value && e.ValueFrom is null) == true)
            && (spec?.InitContainers ?? []).All(c => c.Env?.Where(e => e.Name == name).All(e => e.Value == value && e.ValueFrom is null) != false));

    /// <summary>Every regular container's entry for the env var equals the given JSON (a literal value or a valueFrom reference).</summary>
    public static RolloutExpectation EnvEntries(string name, IReadOnlyDictionary<string, string> entryJsonByContainer) =>
        new($"{name} as in the backup", spec => (spec?.Containers ?? []).All(c =>
            !entryJsonByContainer.TryGetValue(c.Name, out var json)
            || System.Text.Json.Nodes.JsonNode.DeepEquals(
                System.Text.Json.Nodes.JsonNode.Parse(k8s.KubernetesJson.Serialize(c.Env?.FirstOrDefault(e => e.Name == name))),
                System.Text.Json.Nodes.JsonNode.Parse(json))));

    /// <summary>Both expectations hold.</summary>
    public RolloutExpectation And(RolloutExpectation other) =>
        new($"{Description} and {other.Description}", spec => Matches(spec) && other.Matches(spec))
        {
            ImageByContainer = ImageByContainer.Concat(other.ImageByContainer).GroupBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
        };
}
