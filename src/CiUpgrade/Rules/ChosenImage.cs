using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>
/// The system image a run chose with `--system-image` (a mirror, a disconnected registry, an Oracle image built
/// elsewhere) is part of the run (review N2): patch-imagestreams writes it into the target tag of the plan's system
/// stream (`amp-system:&lt;target&gt;`, DockerImage) and records it there, in the same guarded patch, as the tag's annotation
/// <see cref="Annotation"/>; verify and drift read it back from the stream they list anyway, so the gate judges what
/// was chosen (its repository, and that the tag still names it) without knowing the run. The annotation, not the
/// tag's `from.name` alone, is the record: a tag re-pointed by hand afterwards then differs from what was chosen and is
/// reported, as any drift from the plan's image is (`oc tag` keeps the tag's annotations: it reads the existing
/// TagReference and replaces only its From, origin pkg/oc/cli/tag/tag.go).
/// </summary>
public static class ChosenImage
{
    public const string Annotation = "ciupgrade.io/system-image";

    /// <summary>The image recorded on the stream's target tag, or null (the plan's image was used).</summary>
    public static string? Recorded(ImageStream? stream, string target) =>
        stream?.Spec.Tags?.FirstOrDefault(t => t.Name == target)?.Annotations is { } annotations && annotations.TryGetValue(Annotation, out var image) && image.Length > 0
            ? image
            : null;

    /// <summary>
    /// The image the system stream's target tag must name: <paramref name="given"/> (verify --system-image: the image
    /// this run chose), else the recorded one; null when none was chosen (the plan's image applies).
    /// </summary>
    public static string? For(UpgradePlan plan, IReadOnlyDictionary<string, ImageStream> streams, string? given) =>
        given ?? Recorded(streams.GetValueOrDefault(plan.Oracle.ImageStream), plan.Target);

    /// <summary>The DockerImage a plan stream's target tag must name: the chosen image for the system stream, else the plan's.</summary>
    public static string TargetImage(UpgradePlan plan, ImageStreamStep step, string? chosen) =>
        step.Name == plan.Oracle.ImageStream && chosen is not null ? chosen : step.Image;
}
