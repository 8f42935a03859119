using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Reporting;

public sealed class JUnitWriterTests
{
    private static readonly DigestResult[] Results =
    [
        new("apicast-production", CheckOutcome.Passed, "2 images pinned", []) { Notes = ["container istio-proxy runs docker.io/istio/proxyv2:1.0.2: not checked"] },
        new("system-app", CheckOutcome.Failed, "container system-master: expected X@sha256:<64 hex digits>, actual Y:tag", ["container system-master: expected X@sha256:<64 hex digits>, actual Y:tag"]),
        new("system-postgresql", CheckOutcome.Skipped, "optional DeploymentConfig system-postgresql is not part of this install", []),
    ];

    private static XDocument Report() =>
        JUnitWriter.Build("ciupgrade.verify", "3scale", Results, new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(1)), TimeSpan.FromMilliseconds(123.4567), "host");

    [Theory]
    [InlineData("JUnit.xsd")]
    [InlineData("junit-10.xsd")]
    public void Report_is_valid_against_both_junit_schemas(string xsd)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(AppContext.BaseDirectory, "Fixtures", "junit", xsd));
        var errors = new List<string>();

        var document = Report();
        if (xsd == "JUnit.xsd")
        {
            // The strict Ant schema's root is one <testsuite>; it also declares <testsuites> with package and id.
            var suite = new XDocument(document.Root!.Element("testsuite"));
            suite.Root!.Attribute("package")!.Remove();
            suite.Root!.Attribute("id")!.Remove();
            suite.Validate(schemas, (_, e) => errors.Add(e.Message));
        }

        document.Validate(schemas, (_, e) => errors.Add(e.Message));

        Assert.Empty(errors);
    }

    [Fact]
    public void Report_has_one_testcase_per_dc_with_expected_and_actual_in_failures()
    {
        var suite = Report().Root!.Element("testsuite")!;

        Assert.Equal(("3", "1", "1"), ((string?)suite.Attribute("tests"), (string?)suite.Attribute("failures"), (string?)suite.Attribute("skipped")));
        Assert.Equal("2026-11-24T09:00:00", (string?)suite.Attribute("timestamp"));
        Assert.Equal("0.123", (string?)suite.Attribute("time"));
        var failure = suite.Elements("testcase").Single(t => (string?)t.Attribute("name") == "system-app").Element("failure")!;
        Assert.Contains("expected X@sha256:<64 hex digits>, actual Y:tag", (string?)failure.Attribute("message"), StringComparison.Ordinal);
        Assert.All(suite.Elements("testcase"), t => Assert.Equal("3scale", (string?)t.Attribute("classname")));
    }

    [Fact]
    public void Notes_of_a_testcase_are_listed_in_the_suites_system_out()
    {
        var output = (string?)Report().Root!.Element("testsuite")!.Element("system-out");

        Assert.Contains("apicast-production: Passed: 2 images pinned\n  container istio-proxy runs docker.io/istio/proxyv2:1.0.2: not checked", output, StringComparison.Ordinal);
    }
}
