using System.Text.Json.Nodes;

namespace CiUpgrade.Reporting;

/// <summary>
/// What a stage tells the person reading the Tekton log: one line per event. In text mode
/// `[stage] message`; in JSON mode one object per line (`time`, `stage`, `event`, `message`, and extra fields).
/// </summary>
public sealed class Reporter(TextWriter output, bool json, TimeProvider time, SecretMask? secrets = null)
{
    /// <summary>Secrets of this run: every message and field is masked with it before it is written.</summary>
    public SecretMask Secrets { get; } = secrets ?? new SecretMask();

    public void Event(string stage, string kind, string message, IReadOnlyDictionary<string, string>? fields = null)
    {
        message = Secrets.Apply(message);
        if (json)
        {
            var line = new JsonObject
            {
                ["time"] = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                ["stage"] = stage,
                ["event"] = kind,
                ["message"] = message,
            };
            foreach (var (key, value) in fields ?? new Dictionary<string, string>())
            {
                line[key] = Secrets.Apply(value);
            }

            output.WriteLine(line.ToJsonString());
        }
        else
        {
            output.WriteLine($"[{stage}] {message}");
        }

        output.Flush();
    }
}
