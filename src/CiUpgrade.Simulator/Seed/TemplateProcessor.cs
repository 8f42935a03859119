using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Seed;

/// <summary>
/// `oc process` for the embedded 3scale templates: fills ${PARAM} (string) and ${{PARAM}} (raw, non-string)
/// from parameter defaults, generates values for `generate: expression` parameters, and returns the objects.
/// Results are cached per template, since many namespaces are seeded from the same one.
/// </summary>
public static partial class TemplateProcessor
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<JsonObject>> Cache = new(StringComparer.Ordinal);

    /// <summary>The template's objects with parameters filled; each call returns fresh copies.</summary>
    public static IReadOnlyList<JsonObject> Objects(string templateFile) =>
        Cache.GetOrAdd(templateFile, Process).Select(o => (JsonObject)o.DeepClone()).ToList();

    public static string ReadEmbedded(string templateFile)
    {
        var name = $"CiUpgrade.Simulator.Seed.Templates.{templateFile}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded template {templateFile} missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static IReadOnlyList<JsonObject> Process(string templateFile)
    {
        var raw = ReadEmbedded(templateFile);
        var template = YamlJson.Parse(raw) as JsonObject ?? throw new InvalidOperationException($"{templateFile} is not a template");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in template["parameters"].Objects())
        {
            var name = p.Str("name")!;
            values[name] = p["value"]?.ToString() ?? (p.Str("generate") is not null ? Generated(name) : Placeholder(name));
        }

        var objects = template["objects"].Objects().Select(o => (JsonObject)Substitute(o, values)!).ToList();
        return objects;
    }

    /// <summary>
    /// Substitutes inside string values only, as `oc process` does on the decoded template: "${{X}}" as a whole
    /// value becomes X's value parsed as JSON (a bool, a number), "${X}" anywhere becomes X's text.
    /// </summary>
    private static JsonNode? Substitute(JsonNode? node, Dictionary<string, string> values)
    {
        switch (node)
        {
            case JsonObject obj:
                return new JsonObject(obj.Select(kv => KeyValuePair.Create(kv.Key, Substitute(kv.Value, values))));
            case JsonArray arr:
                return new JsonArray(arr.Select(n => Substitute(n, values)).ToArray());
            case JsonValue v when v.TryGetValue<string>(out var text):
                var raw = RawParameter().Match(text);
                if (raw.Success && raw.Length == text.Length)
                {
                    var value = values.GetValueOrDefault(raw.Groups[1].Value, string.Empty);
                    try
                    {
                        return JsonNode.Parse(value);
                    }
                    catch (System.Text.Json.JsonException)
                    {
                        return JsonValue.Create(value);
                    }
                }

                return JsonValue.Create(Parameter().Replace(text, m => values.GetValueOrDefault(m.Groups[1].Value, string.Empty)));
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>A stable stand-in for a generated secret, so seeded namespaces are reproducible.</summary>
    private static string Generated(string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("ciupgrade-sim:" + name)))[..16];

    private static string Placeholder(string name) => name switch
    {
        "WILDCARD_DOMAIN" => "apps.example.com",
        _ => string.Empty,
    };

    [GeneratedRegex(@"\$\{\{([A-Z0-9_]+)\}\}")]
    private static partial Regex RawParameter();

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex Parameter();
}
