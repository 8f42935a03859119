using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CiUpgrade.Tekton.Tests;

/// <summary>What the EventListener did with one request: the PipelineRun it would create, or why it rejected the request.</summary>
public sealed record TriggerOutcome(JsonObject? PipelineRun, string? Rejection);

/// <summary>
/// The EventListener in tekton/triggers evaluated the way Tekton Triggers evaluates it, without a cluster: its
/// interceptors in order (each may stop the request), then the TriggerBinding's $(body.*) params, then the
/// TriggerTemplate's $(tt.params.*) into the PipelineRun it would create. Interceptors covered:
/// <list type="bullet">
/// <item>github (tektoncd/triggers pkg/interceptors/github/github.go Process): form-encoded bodies refused;
/// eventTypes allow-list on X-GitHub-Event; with secretRef, an empty secretKey refused, the signature taken from
/// X-Hub-Signature-256, else X-Hub-Signature, none refused, and checked as go-github's ValidateSignature does
/// ("&lt;sha1|sha256|sha512&gt;=&lt;hex HMAC of the raw body with the secret&gt;", constant-time compare).</item>
/// <item>cel, `filter` only, and only conjunctions of has(body.field): anything else throws, so a richer filter
/// cannot pass unevaluated.</item>
/// </list>
/// Not covered (needs a cluster): the sink's HTTP handling, the interceptor service call, reading the Secret
/// through the API, and whether the NetworkPolicy is enforced.
/// </summary>
public sealed partial class TriggerContract(IReadOnlyDictionary<(string Secret, string Key), string> secrets)
{
    public TriggerOutcome Post(string eventListener, IReadOnlyDictionary<string, string> headers, string body)
    {
        // Tekton Triggers runs every trigger of the listener on each event (sink.go processTriggers): the shipped ones
        // filter on exclusive conditions, so at most one creates a PipelineRun; with none, the first one's rejection.
        var listener = TektonFiles.Find("EventListener", eventListener);
        var outcomes = listener["spec"]!["triggers"]!.AsArray().OfType<JsonObject>().Select(t => Post(t, headers, body)).ToList();
        var created = outcomes.Where(o => o.PipelineRun is not null).ToList();
        Assert.True(created.Count <= 1, $"{created.Count} triggers of {eventListener} created a PipelineRun for one request");
        return created.SingleOrDefault() ?? outcomes[0];
    }

    private TriggerOutcome Post(JsonObject trigger, IReadOnlyDictionary<string, string> headers, string body)
    {
        var canonical = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        var json = JsonNode.Parse(body)!.AsObject();
        foreach (var interceptor in trigger["interceptors"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var parameters = (interceptor["params"]?.AsArray().OfType<JsonObject>() ?? []).ToDictionary(p => (string)p["name"]!, p => p["value"]);
            var rejection = (string?)interceptor["ref"]!["name"] switch
            {
                "github" => GitHub(parameters, canonical, body),
                "cel" => Cel(parameters, json),
                var other => throw new NotSupportedException($"interceptor {other} is not evaluated by this contract"),
            };
            if (rejection is not null)
            {
                return new TriggerOutcome(null, rejection);
            }
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var binding in trigger["bindings"]!.AsArray())
        {
            foreach (var param in TektonFiles.Find("TriggerBinding", (string)binding!["ref"]!)["spec"]!["params"]!.AsArray())
            {
                values[(string)param!["name"]!] = BodyField().Replace((string)param["value"]!, m => json[m.Groups["field"].Value]?.ToString() ?? string.Empty);
            }
        }

        var template = TektonFiles.Find("TriggerTemplate", (string)trigger["template"]!["ref"]!)["spec"]!;
        foreach (var param in template["params"]!.AsArray())
        {
            var name = (string)param!["name"]!;
            if (!values.ContainsKey(name))
            {
                values[name] = (string?)param["default"] ?? throw new InvalidOperationException($"TriggerTemplate param {name} has no value and no default");
            }
        }

        var rendered = TemplateParam().Replace(Assert.Single(template["resourcetemplates"]!.AsArray())!.ToJsonString(), m => values[m.Groups["name"].Value]);
        return new TriggerOutcome(JsonNode.Parse(rendered)!.AsObject(), null);
    }

    private string? GitHub(Dictionary<string, JsonNode?> parameters, Dictionary<string, string> headers, string body)
    {
        if (headers.GetValueOrDefault("Content-Type") == "application/x-www-form-urlencoded")
        {
            return "form parameter encoding not supported, please change the hook to send JSON payloads";
        }

        if (parameters.GetValueOrDefault("eventTypes") is JsonArray allowed
            && !allowed.Select(e => (string?)e).Contains(headers.GetValueOrDefault("X-GitHub-Event") ?? string.Empty))
        {
            return $"event type {headers.GetValueOrDefault("X-GitHub-Event")} is not allowed";
        }

        if (parameters.GetValueOrDefault("secretRef") is not JsonObject secretRef)
        {
            return null;
        }

        if (string.IsNullOrEmpty((string?)secretRef["secretKey"]))
        {
            return "github interceptor secretRef.secretKey is empty";
        }

        var header = headers.GetValueOrDefault("X-Hub-Signature-256");
        if (string.IsNullOrEmpty(header))
        {
            header = headers.GetValueOrDefault("X-Hub-Signature");
        }

        if (string.IsNullOrEmpty(header))
        {
            return "Must set X-Hub-Signature-256 or X-Hub-Signature header";
        }

        if (!secrets.TryGetValue(((string)secretRef["secretName"]!, (string)secretRef["secretKey"]!), out var token))
        {
            return $"error getting secret: secret {secretRef["secretName"]} not found";
        }

        var parts = header.Split('=', 2);
        if (parts.Length != 2)
        {
            return $"error parsing signature \"{header}\"";
        }

        Func<byte[], byte[], byte[]>? hmac = parts[0] switch
        {
            "sha1" => HMACSHA1.HashData,
            "sha256" => HMACSHA256.HashData,
            "sha512" => HMACSHA512.HashData,
            _ => null,
        };
        if (hmac is null)
        {
            return $"unknown hash type prefix: \"{parts[0]}\"";
        }

        byte[] expected;
        try
        {
            expected = Convert.FromHexString(parts[1]);
        }
        catch (FormatException e)
        {
            return $"error decoding signature \"{header}\": {e.Message}";
        }

        return CryptographicOperations.FixedTimeEquals(expected, hmac(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(body)))
            ? null
            : "payload signature check failed";
    }

    private static string? Cel(Dictionary<string, JsonNode?> parameters, JsonObject body)
    {
        Assert.Equal(["filter"], parameters.Keys);
        var filter = (string)parameters["filter"]!;
        foreach (var term in filter.Split("&&", StringSplitOptions.TrimEntries))
        {
            var negated = term.StartsWith('!');
            var has = HasBodyField().Match(negated ? term[1..] : term);
            if (!has.Success)
            {
                throw new NotSupportedException($"CEL term {term} is not evaluated by this contract");
            }

            if (body.ContainsKey(has.Groups["field"].Value) == negated)
            {
                return $"expression {filter} did not return true";
            }
        }

        return null;
    }

    [GeneratedRegex(@"\$\(body\.(?<field>[A-Za-z0-9_]+)\)")]
    private static partial Regex BodyField();

    [GeneratedRegex(@"\$\(tt\.params\.(?<name>[a-z0-9\-]+)\)")]
    private static partial Regex TemplateParam();

    [GeneratedRegex(@"^has\(body\.(?<field>[A-Za-z0-9_]+)\)$")]
    private static partial Regex HasBodyField();
}
