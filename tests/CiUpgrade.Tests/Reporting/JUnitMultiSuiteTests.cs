using System.Xml.Linq;
using System.Xml.Schema;
using CiUpgrade.Reporting;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Reporting;

public sealed class JUnitMultiSuiteTests
{
    [Theory]
    [InlineData("JUnit.xsd")]
    [InlineData("junit-10.xsd")]
    public void Drift_report_with_one_suite_per_namespace_is_valid_against_both_schemas(string xsd)
    {
        var results = new[] { new DigestResult("tags amp-system", CheckOutcome.Failed, "image stream amp-system: tag latest: was ImageStreamTag 2.7, is ImageStreamTag 2.6", ["tag latest: was ImageStreamTag 2.7, is ImageStreamTag 2.6"]) };
        var document = JUnitWriter.Build([("ciupgrade.drift.a", "a", results), ("ciupgrade.drift.b", "b", results)], DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1.23456), "host");
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(AppContext.BaseDirectory, "Fixtures", "junit", xsd));
        var errors = new List<string>();

        document.Validate(schemas, (_, e) => errors.Add(e.Message));

        Assert.Empty(errors);
        Assert.Equal(["0", "1"], document.Root!.Elements("testsuite").Select(s => (string?)s.Attribute("id")));
    }
}
