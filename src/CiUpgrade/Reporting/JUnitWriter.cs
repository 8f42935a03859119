using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using CiUpgrade.Rules;

namespace CiUpgrade.Reporting;

/// <summary>
/// The verify report as JUnit XML, valid against both the strict Ant schema (windyroad JUnit.xsd) and Jenkins'
/// junit-10.xsd: one testsuite, one testcase per DC (classname = namespace), failures with expected vs actual,
/// skipped for absent optional DCs, times with 3 decimals and a timestamp without time zone.
/// </summary>
public static class JUnitWriter
{
    /// <summary>Writes the report (UTF-8, no BOM, indented), creating its directory; an unwritable path is bad input.</summary>
    public static void Save(string path, XDocument document)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using var writer = XmlWriter.Create(path, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
            document.Save(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpgradeException(ExitCode.BadInput, $"cannot write the JUnit report to {path}: {e.Message} (check --junit)");
        }
    }

    public static XDocument Build(string suiteName, string ns, IReadOnlyList<DigestResult> results, DateTimeOffset started, TimeSpan elapsed, string hostname) =>
        Build([(suiteName, ns, results)], started, elapsed, hostname);

    /// <summary>One testsuite per namespace (id 0, 1, ...), e.g. for a drift check across namespaces.</summary>
    public static XDocument Build(IReadOnlyList<(string SuiteName, string Namespace, IReadOnlyList<DigestResult> Results)> suites, DateTimeOffset started, TimeSpan elapsed, string hostname)
    {
        var root = new XElement("testsuites");
        var share = suites.Count == 0 ? elapsed : elapsed / suites.Count;
        for (var i = 0; i < suites.Count; i++)
        {
            root.Add(Suite(suites[i].SuiteName, suites[i].Namespace, suites[i].Results, started, share, hostname, i));
        }

        return new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
    }

    private static XElement Suite(string suiteName, string ns, IReadOnlyList<DigestResult> results, DateTimeOffset started, TimeSpan elapsed, string hostname, int id)
    {
        var perCase = results.Count == 0 ? 0 : elapsed.TotalSeconds / results.Count;
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("package", ns),
            new XAttribute("id", id),
            new XAttribute("hostname", hostname),
            new XAttribute("timestamp", started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(r => r.Outcome == CheckOutcome.Failed)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", results.Count(r => r.Outcome == CheckOutcome.Skipped)),
            new XAttribute("time", Seconds(elapsed.TotalSeconds)),
            new XElement("properties",
                new XElement("property", new XAttribute("name", "namespace"), new XAttribute("value", ns))));
        foreach (var r in results)
        {
            var testcase = new XElement("testcase",
                new XAttribute("name", r.DeploymentConfig),
                new XAttribute("classname", ns),
                new XAttribute("time", Seconds(perCase)));
            if (r.Outcome == CheckOutcome.Failed)
            {
                testcase.Add(new XElement("failure",
                    new XAttribute("message", r.Message),
                    new XAttribute("type", "ImageDigestMismatch"),
                    string.Join("\n", r.Problems)));
            }
            else if (r.Outcome == CheckOutcome.Skipped)
            {
                testcase.Add(new XElement("skipped", new XAttribute("message", r.Message)));
            }

            suite.Add(testcase);
        }

        // The strict Ant schema allows system-out only on the testsuite, so a testcase's notes (containers no rule
        // covers) are listed there, indented under the testcase's line.
        suite.Add(new XElement("system-out", string.Join("\n", results.Select(r =>
            $"{r.DeploymentConfig}: {r.Outcome}: {r.Message}" + string.Concat(r.Notes.Select(n => "\n  " + n))))));
        suite.Add(new XElement("system-err", string.Empty));
        return suite;
    }

    private static string Seconds(double seconds) => Math.Round(seconds, 3).ToString("0.000", CultureInfo.InvariantCulture);
}
