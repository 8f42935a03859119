using System.Text.Json.Nodes;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// Validates a document against a CRD's openAPIV3Schema, the structural subset Kubernetes applies: type, required,
/// properties, items, enum, x-kubernetes-int-or-string and x-kubernetes-preserve-unknown-fields. Strict like
/// `kubectl --validate=strict`: a field the schema does not declare is an error unless unknown fields are preserved.
/// </summary>
public static class SchemaValidator
{
    public static IReadOnlyList<string> Validate(JsonNode? value, JsonObject schema, string path = "")
    {
        var errors = new List<string>();
        Check(value, schema, path.Length == 0 ? "." : path, errors);
        return errors;
    }

    private static void Check(JsonNode? value, JsonObject schema, string path, List<string> errors)
    {
        if (value is null)
        {
            if (schema["nullable"] is JsonValue n && n.GetValue<bool>())
            {
                return;
            }

            errors.Add($"{path}: must not be null");
            return;
        }

        if (schema["x-kubernetes-int-or-string"] is JsonValue ios && ios.GetValue<bool>())
        {
            if (!IsInteger(value) && !IsString(value))
            {
                errors.Add($"{path}: must be an integer or a string");
            }

            return;
        }

        var type = (string?)schema["type"];
        var ok = type switch
        {
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => IsString(value),
            "integer" => IsInteger(value),
            "number" => value is JsonValue v && (v.TryGetValue<double>(out _) || v.TryGetValue<long>(out _)),
            "boolean" => value is JsonValue b && b.TryGetValue<bool>(out _),
            _ => true,
        };
        if (!ok)
        {
            errors.Add($"{path}: must be of type {type}, got {value.GetValueKind()}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: must be one of {allowed.ToJsonString()}");
        }

        if (value is JsonObject obj)
        {
            foreach (var required in schema["required"] as JsonArray ?? [])
            {
                if (!obj.ContainsKey((string)required!))
                {
                    errors.Add($"{path}: missing required field \"{required}\"");
                }
            }

            var properties = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"] as JsonObject;
            var preserve = schema["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.GetValue<bool>();
            foreach (var (key, child) in obj)
            {
                var childPath = $"{path.TrimEnd('.')}.{key}";
                if (properties?[key] is JsonObject childSchema)
                {
                    Check(child, childSchema, childPath, errors);
                }
                else if (additional is not null)
                {
                    Check(child, additional, childPath, errors);
                }
                else if (properties is not null && !preserve)
                {
                    errors.Add($"{childPath}: unknown field");
                }
            }
        }

        if (value is JsonArray array && schema["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], itemSchema, $"{path}[{i}]", errors);
            }
        }
    }

    private static bool IsString(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out _);

    private static bool IsInteger(JsonNode node) => node is JsonValue v && (v.TryGetValue<long>(out _) || v.TryGetValue<int>(out _));
}
