using System.Globalization;
using System.Xml.Linq;
using CiUpgrade.Rules;

namespace CiUpgrade.Reporting;

/// <summary>
/// Reads one install's report (the JUnit JUnitWriter writes for drift or verify) and writes the fleet's: one testsuite
/// per install, named after it, its testcases as they were (classname = the install), an install without a report one
/// errored testcase saying so. Valid against the same two XSDs as every report of the project.
/// </summary>
public static class FleetJUnit
{
    public static FleetInstall Read(string name, string path)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Xml.XmlException)
        {
            return new FleetInstall(name, null, null, [], $"its report {Path.GetFileName(path)} cannot be read: {e.Message}");
        }

        var suites = document.Descendants("testsuite").ToList();
        var checks = suites.SelectMany(s => s.Elements("testcase")).Select(c => new FleetCheck(
            (string?)c.Attribute("name") ?? "?",
            c.Element("failure") is not null || c.Element("error") is not null ? CheckOutcome.Failed : c.Element("skipped") is not null ? CheckOutcome.Skipped : CheckOutcome.Passed,
            (string?)(c.Element("failure") ?? c.Element("error") ?? c.Element("skipped"))?.Attribute("message") ?? string.Empty)).ToList();
        var first = suites.FirstOrDefault();
        return new FleetInstall(name, (string?)first?.Attribute("package"), (string?)first?.Attribute("timestamp"), checks);
    }

    public static XDocument Build(IReadOnlyList<FleetInstall> installs, DateTimeOffset generated, string hostname)
    {
        var root = new XElement("testsuites");
        for (var i = 0; i < installs.Count; i++)
        {
            var install = installs[i];
            var suite = new XElement("testsuite",
                new XAttribute("name", install.Name),
                new XAttribute("package", install.Namespace ?? install.Name),
                new XAttribute("id", i),
                new XAttribute("hostname", hostname),
                new XAttribute("timestamp", install.CheckedAt ?? generated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
                new XAttribute("tests", Math.Max(1, install.Checks.Count)),
                new XAttribute("failures", install.Checks.Count(c => c.Outcome == CheckOutcome.Failed)),
                new XAttribute("errors", install.Missing is null ? 0 : 1),
                new XAttribute("skipped", install.Checks.Count(c => c.Outcome == CheckOutcome.Skipped)),
                new XAttribute("time", "0.000"),
                new XElement("properties",
                    new XElement("property", new XAttribute("name", "install"), new XAttribute("value", install.Name)),
                    new XElement("property", new XAttribute("name", "namespace"), new XAttribute("value", install.Namespace ?? string.Empty))));
            if (install.Missing is { } missing)
            {
                suite.Add(new XElement("testcase", new XAttribute("name", "drift check"), new XAttribute("classname", install.Name), new XAttribute("time", "0.000"),
                    new XElement("error", new XAttribute("message", missing), new XAttribute("type", "NoReport"), missing)));
            }

            foreach (var check in install.Checks)
            {
                var testcase = new XElement("testcase", new XAttribute("name", check.Name), new XAttribute("classname", install.Name), new XAttribute("time", "0.000"));
                if (check.Outcome == CheckOutcome.Failed)
                {
                    testcase.Add(new XElement("failure", new XAttribute("message", check.Message), new XAttribute("type", "Drift"), check.Message));
                }
                else if (check.Outcome == CheckOutcome.Skipped)
                {
                    testcase.Add(new XElement("skipped", new XAttribute("message", check.Message)));
                }

                suite.Add(testcase);
            }

            suite.Add(new XElement("system-out", string.Empty), new XElement("system-err", string.Empty));
            root.Add(suite);
        }

        return new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
    }
}
