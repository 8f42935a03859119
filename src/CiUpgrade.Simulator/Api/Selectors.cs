using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Simulator.Api;

/// <summary>labelSelector (=, ==, !=, in, notin, key, !key) and fieldSelector (metadata.name, metadata.namespace) filters.</summary>
public static class Selectors
{
    public static Func<JsonObject, bool> Parse(string? labelSelector, string? fieldSelector)
    {
        var tests = new List<Func<JsonObject, bool>>();
        foreach (var term in SplitTerms(labelSelector))
        {
            tests.Add(LabelTerm(term));
        }

        foreach (var term in SplitTerms(fieldSelector))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var pair = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (pair.Length != 2 || pair[0] is not ("metadata.name" or "metadata.namespace"))
            {
                throw new ApiError(400, "BadRequest", $"\"{term}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            }

            var field = pair[0] == "metadata.name" ? "name" : "namespace";
            var value = pair[1];
            tests.Add(o => (o.Meta().Str(field) == value) != negate);
        }

        return o => tests.All(t => t(o));
    }

    /// <summary>The name a `fieldSelector=metadata.name=X` pins, which RBAC treats as a named request (requestinfo.go).</summary>
    public static string? NameFromFieldSelector(string? fieldSelector) =>
        SplitTerms(fieldSelector).Select(t => t.Split('=', 2)).Where(p => p.Length == 2 && p[0] == "metadata.name").Select(p => p[1]).FirstOrDefault();

    private static IEnumerable<string> SplitTerms(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            yield break;
        }

        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            depth += selector[i] == '(' ? 1 : selector[i] == ')' ? -1 : 0;
            if (selector[i] == ',' && depth == 0)
            {
                yield return selector[start..i].Trim();
                start = i + 1;
            }
        }

        yield return selector[start..].Trim();
    }

    private static Func<JsonObject, bool> LabelTerm(string term)
    {
        string? Label(JsonObject o, string key) => o.Meta()["labels"].Str(key);
        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return o => Label(o, key) is null;
        }

        foreach (var (op, negate) in new[] { (" notin ", true), (" in ", false) })
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var key = term[..at].Trim();
                var values = term[(at + op.Length)..].Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries).ToHashSet();
                return o => values.Contains(Label(o, key) ?? "\0") != negate;
            }
        }

        if (term.Contains("!=", StringComparison.Ordinal))
        {
            var p = term.Split("!=", 2);
            return o => Label(o, p[0].Trim()) != p[1].Trim();
        }

        if (term.Contains('=', StringComparison.Ordinal))
        {
            var p = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            return o => Label(o, p[0].Trim()) == p[1].Trim();
        }

        return o => Label(o, term) is not null;
    }
}
