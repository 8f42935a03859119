using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Cluster.Models;
using CiUpgrade.Plans;

namespace CiUpgrade.Rules;

/// <summary>What system-app's pre hook command is, compared with the plan's source and target commands.</summary>
public enum PreHookState
{
    /// <summary>The target release's command (with the secret's token): nothing to do.</summary>
    Target,

    /// <summary>The source release's command: update-prehook replaces it.</summary>
    Source,

    /// <summary>Neither: a customised hook, replaced only with --force.</summary>
    Customised,

    /// <summary>The DC has no execNewPod pre hook at all.</summary>
    Missing,
}

/// <summary>
/// Step 2.2 of the guide ("update the system-app pre-hook") as pure decisions: the commands rendered from the plan's
/// templates (the `${KEY}` placeholder replaced by the secret's value), where the command sits
/// (spec.strategy.rollingParams.pre.execNewPod.command, or recreateParams for a Recreate DC), how the current one
/// compares, the guarded JSON patch, and the token kept out of every text shown.
/// </summary>
public static class PreHookCommand
{
    public static IReadOnlyList<string> Render(IReadOnlyList<string> template, PreHookSetting hook, string token) =>
        template.Select(part => part.Replace(hook.Placeholder, token, StringComparison.Ordinal)).ToList();

    /// <summary>The JSON pointer of the pre hook's command, or null when the DC has no execNewPod pre hook.</summary>
    public static string? PathFor(DeploymentConfig dc)
    {
        var strategy = dc.Spec.Strategy;
        var recreate = strategy?.Type == "Recreate";
        var parameters = recreate ? strategy?.RecreateParams : strategy?.RollingParams;
        return parameters?.Pre?.ExecNewPod is null ? null : $"/spec/strategy/{(recreate ? "recreateParams" : "rollingParams")}/pre/execNewPod/command";
    }

    public static IReadOnlyList<string>? Current(DeploymentConfig dc)
    {
        var strategy = dc.Spec.Strategy;
        var parameters = strategy?.Type == "Recreate" ? strategy.RecreateParams : strategy?.RollingParams;
        return parameters?.Pre?.ExecNewPod is { } exec ? (exec.Command?.ToList() ?? []) : null;
    }

    /// <summary>The pre hook command of a DC as saved in a backup (JSON), or null when it has none.</summary>
    public static IReadOnlyList<string>? Saved(JsonObject dc)
    {
        var strategy = dc["spec"]?["strategy"] as JsonObject;
        var parameters = (strategy?["type"] as JsonValue)?.GetValue<string>() == "Recreate" ? strategy?["recreateParams"] : strategy?["rollingParams"];
        return parameters?["pre"]?["execNewPod"]?["command"] is JsonArray saved
            ? saved.Select(c => c is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty).ToList()
            : null;
    }

    public static PreHookState Classify(IReadOnlyList<string>? current, IReadOnlyList<string> source, IReadOnlyList<string> target) =>
        current is null ? PreHookState.Missing
        : current.SequenceEqual(target, StringComparer.Ordinal) ? PreHookState.Target
        : current.SequenceEqual(source, StringComparer.Ordinal) ? PreHookState.Source
        : PreHookState.Customised;

    /// <summary>
    /// The command as a JSON patch: `test` of the resourceVersion and of the command read (so a concurrent edit is
    /// never overwritten), then `replace` with the target. Empty when it already is the target.
    /// </summary>
    public static JsonArray Patch(DeploymentConfig dc, IReadOnlyList<string> target)
    {
        var path = PathFor(dc) ?? throw new InvalidOperationException("no pre hook to patch");
        var current = Current(dc)!;
        if (current.SequenceEqual(target, StringComparer.Ordinal))
        {
            return [];
        }

        return
        [
            ImageStreamTagPatch.Op("test", "/metadata/resourceVersion", dc.Metadata.ResourceVersion),
            ImageStreamTagPatch.Op("test", path, Array(current)),
            ImageStreamTagPatch.Op("replace", path, Array(target)),
        ];
    }

    /// <summary>
    /// Does the command equal the template with any non-empty value in place of the placeholder? How verify and
    /// drift judge the hook without reading the secret.
    /// </summary>
    public static bool MatchesTemplate(IReadOnlyList<string>? current, IReadOnlyList<string> template, PreHookSetting hook) =>
        current is not null && current.Count == template.Count && current.Zip(template).All(p =>
            Regex.IsMatch(p.First, "^" + string.Join("[^\\s\"']+", p.Second.Split(hook.Placeholder).Select(Regex.Escape)) + "$", RegexOptions.None, TimeSpan.FromSeconds(1)));

    /// <summary>
    /// Where a customised command differs from <paramref name="expected"/>: the words before and after are the same,
    /// the words between are shown with every `KEY=value` masked.
    /// </summary>
    public static string Difference(IReadOnlyList<string> current, IReadOnlyList<string> expected, PreHookSetting hook)
    {
        var a = Words(current);
        var b = Words(expected);
        var prefix = 0;
        while (prefix < a.Count && prefix < b.Count && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Count - prefix && suffix < b.Count - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        string Part(List<string> words) => words.Count - prefix - suffix == 0 ? "nothing" : $"\"{Mask(string.Join(' ', words.Skip(prefix).Take(words.Count - prefix - suffix)), hook)}\"";
        var where = prefix == 0 ? "at the start" : $"after \"{Mask(string.Join(' ', a.Take(prefix).TakeLast(4)), hook)}\"";
        return $"{where} it has {Part(a)} where the expected command has {Part(b)}";
    }

    /// <summary>The command as one line, every `KEY=value` of the secret's key masked.</summary>
    public static string Show(IReadOnlyList<string> command, PreHookSetting hook) =>
        Mask(string.Join(' ', command.Select(c => c.Contains(' ', StringComparison.Ordinal) ? $"'{c}'" : c)), hook);

    /// <summary>
    /// Replaces the value of every `KEY=value` with ***, keeping its quotes: plain ("v", 'v', v) or inside JSON text
    /// (\"v\", or \u0022v\u0022 as System.Text.Json escapes a quote).
    /// </summary>
    public static string Mask(string text, PreHookSetting hook) =>
        Regex.Replace(text, Regex.Escape(hook.Key) + "=(?:(?<q>\\\\u0022|\\\\\"|\"|')(?<v>.*?)\\k<q>|(?<bare>[^\\s'\"\\\\]+))",
            m => hook.Key + "=" + (m.Groups["bare"].Success ? "***" : m.Groups["q"].Value + "***" + m.Groups["q"].Value),
            RegexOptions.None, TimeSpan.FromSeconds(1));

    private static List<string> Words(IReadOnlyList<string> command) =>
        command.SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

    private static JsonArray Array(IReadOnlyList<string> command) => new(command.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
}
