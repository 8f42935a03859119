using System.Text.Json.Serialization;

namespace CiUpgrade.Cluster.Models;

/// <summary>A tag's history, newest first, and its import conditions.</summary>
public sealed class NamedTagEventList
{
    [JsonPropertyName("tag")]
    public string Tag { get; set; } = string.Empty;

    [JsonPropertyName("items")]
    public IList<TagEvent>? Items { get; set; }

    [JsonPropertyName("conditions")]
    public IList<TagEventCondition>? Conditions { get; set; }
}
