using System.Globalization;
using System.Net;
using System.Text;
using CiUpgrade.Rules;

namespace CiUpgrade.Reporting;

/// <summary>
/// The fleet's drift as one self-contained HTML page: installs × checks, green (passed), red (failed), grey (skipped),
/// each failure's sentence, when each install was checked and against what plan. Inline CSS only — no script, no
/// font, no image, no link — so the page reads the same offline, from a CI artifact or a mail attachment.
/// A fleet upgrade's page (<c>upgrade</c>) shows verify's checks, each install's wave, and says "not upgraded".
/// </summary>
public static class FleetHtml
{
    private const string Style = """
        body{font-family:sans-serif;margin:1.5em;color:#222}
        table{border-collapse:collapse;font-size:13px}
        th,td{border:1px solid #ccc;padding:3px 6px;text-align:center}
        thead th{background:#eee;writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
        thead th.install,tbody th{writing-mode:horizontal-tb;transform:none;text-align:left}
        .passed{background:#c8e6c9}.failed{background:#ef9a9a;font-weight:bold}.skipped{background:#e0e0e0;color:#666}.none{background:#fff}
        tr.drifted th{color:#b71c1c}tr.missing td.missing{background:#ffcc80;text-align:left}
        li{margin:.3em 0}.summary{font-size:15px}
        """;

    public static string Write(string title, string plan, IReadOnlyList<FleetInstall> installs, DateTimeOffset generated, bool upgrade = false)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var checks = installs.SelectMany(i => i.Checks.Select(c => c.Name)).Distinct(StringComparer.Ordinal).ToList();
        var drifted = installs.Count(i => i.Drifted);
        var waves = installs.Any(i => i.Wave is not null);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n")
            .Append("<h1>").Append(E(title)).Append("</h1>\n")
            .Append("<p class=\"summary\" id=\"summary\">").Append(installs.Count.ToString(CultureInfo.InvariantCulture)).Append(" installs, ")
            .Append(drifted.ToString(CultureInfo.InvariantCulture)).Append(upgrade ? " not upgraded; upgraded to and verified against " : " drifted; checked against ").Append(E(plan)).Append("; report made ")
            .Append(E(generated.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append(" UTC.</p>\n")
            .Append("<table><thead><tr>").Append(waves ? "<th class=\"install\">wave</th>" : string.Empty)
            .Append("<th class=\"install\">install</th><th class=\"install\">namespace</th><th class=\"install\">checked (UTC)</th>");
        foreach (var check in checks)
        {
            html.Append("<th>").Append(E(check)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>\n");
        foreach (var install in installs)
        {
            html.Append("<tr class=\"").Append(install.Missing is not null ? "drifted missing" : install.Drifted ? "drifted" : "clean").Append("\" id=\"install-").Append(E(install.Name)).Append("\">")
                .Append(waves ? $"<td>{E(install.Wave ?? string.Empty)}</td>" : string.Empty)
                .Append("<th>").Append(E(install.Name)).Append("</th><td>").Append(E(install.Namespace ?? "")).Append("</td><td>").Append(E(install.CheckedAt?.Replace('T', ' ') ?? "")).Append("</td>");
            if (install.Missing is { } missing)
            {
                html.Append("<td class=\"missing\" colspan=\"").Append(Math.Max(1, checks.Count).ToString(CultureInfo.InvariantCulture)).Append("\">").Append(E(missing)).Append("</td>");
            }
            else
            {
                foreach (var name in checks)
                {
                    var check = install.Checks.FirstOrDefault(c => c.Name == name);
                    var (css, mark) = check?.Outcome switch
                    {
                        CheckOutcome.Passed => ("passed", "✓"),
                        CheckOutcome.Failed => ("failed", "✗"),
                        CheckOutcome.Skipped => ("skipped", "–"),
                        _ => ("none", ""),
                    };
                    html.Append("<td class=\"").Append(css).Append("\" title=\"").Append(E(check?.Message ?? name)).Append("\">").Append(mark).Append("</td>");
                }
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n<h2>").Append(upgrade ? "What was not upgraded" : "What drifted").Append("</h2>\n");
        var failures = installs.Where(i => i.Drifted).ToList();
        if (failures.Count == 0)
        {
            html.Append("<p id=\"no-drift\">").Append(upgrade ? "Nothing: every install was upgraded and passed verify." : "Nothing: every install is as its plan's target says.").Append("</p>\n");
        }
        else
        {
            html.Append("<ul id=\"failures\">\n");
            foreach (var install in failures)
            {
                foreach (var message in install.Missing is { } missing ? [missing] : install.Checks.Where(c => c.Outcome == CheckOutcome.Failed).Select(c => $"{c.Name}: {c.Message}"))
                {
                    html.Append("<li><b>").Append(E(install.Name)).Append("</b> (").Append(E(install.Namespace ?? "?")).Append(", checked ")
                        .Append(E(install.CheckedAt?.Replace('T', ' ') ?? "never")).Append("): ").Append(E(message)).Append("</li>\n");
                }
            }

            html.Append("</ul>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }
}
