using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;

namespace CiUpgrade.Tekton.Tests;

public sealed class SchemaTests
{
    public static TheoryData<string, string> TektonDocuments()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, doc) in TektonFiles.Documents().Where(d => ((string?)d.Doc["apiVersion"])?.Contains("tekton.dev", StringComparison.Ordinal) == true))
        {
            data.Add(file, $"{doc["kind"]}/{doc.Name()}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TektonDocuments))]
    public void Every_tekton_document_is_valid_against_its_crd_schema(string file, string what)
    {
        var doc = TektonFiles.Documents().Single(d => d.File == file && $"{d.Doc["kind"]}/{d.Doc.Name()}" == what).Doc;
        var apiVersion = ((string)doc["apiVersion"]!).Split('/');
        var schema = TektonFiles.Schema(apiVersion[0], (string)doc["kind"]!, apiVersion[1]);

        Assert.NotNull(schema);
        Assert.Empty(SchemaValidator.Validate(doc, schema!));
    }

    [Fact]
    public void Every_tekton_document_is_checked_and_the_pipeline_schemas_are_structural()
    {
        var kinds = TektonDocuments().Select(row => ((string)row[1]).Split('/')[0]).ToHashSet();

        Assert.Superset(new HashSet<string> { "Task", "Pipeline", "TriggerBinding", "TriggerTemplate", "EventListener" }, kinds);
        Assert.NotNull(TektonFiles.Schema("tekton.dev", "Pipeline", "v1")!["properties"]?["spec"]?["properties"]?["tasks"]);
    }

    [Theory]
    [InlineData("parms", "[]", ".spec.tasks[0].parms: unknown field")]
    [InlineData("runAfter", "\"preflight\"", ".spec.tasks[0].runAfter: must be of type array")]
    [InlineData("timeout", "5", ".spec.tasks[0].timeout: must be of type string")]
    public void Validator_rejects_a_broken_pipeline(string field, string json, string expected)
    {
        var pipeline = TektonFiles.Find("Pipeline", "3scale-upgrade").DeepClone().AsObject();
        pipeline["spec"]!["tasks"]![0]![field] = JsonNode.Parse(json);

        var errors = SchemaValidator.Validate(pipeline, TektonFiles.Schema("tekton.dev", "Pipeline", "v1")!);

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_rejects_a_task_without_steps_field_types()
    {
        var task = TektonFiles.Find("Task", "ciupgrade-verify").DeepClone().AsObject();
        task["spec"]!["steps"]![0]!["securityContext"]!["runAsNonRoot"] = "yes";
        task["spec"]!["params"]![0]!.AsObject().Remove("name");

        var errors = SchemaValidator.Validate(task, TektonFiles.Schema("tekton.dev", "Task", "v1")!);

        Assert.Contains(errors, e => e.Contains("runAsNonRoot: must be of type boolean", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("missing required field \"name\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_task_runs_ciupgrade_without_a_shell_as_non_root_with_home_set()
    {
        foreach (var task in TektonFiles.Documents().Select(d => d.Doc).Where(d => (string?)d["kind"] == "Task"))
        {
            foreach (var step in task["spec"]!["steps"]!.AsArray().OfType<JsonObject>())
            {
                Assert.Equal("""["ciupgrade"]""", step["command"]!.ToJsonString());
                Assert.Null(step["script"]);
                Assert.True((bool)step["securityContext"]!["runAsNonRoot"]!);
                Assert.False((bool)step["securityContext"]!["allowPrivilegeEscalation"]!);
                Assert.Null(step["securityContext"]!["runAsUser"]);
                Assert.Contains(step["env"]!.AsArray(), e => (string?)e!["name"] == "HOME");
                Assert.NotNull(step["computeResources"]?["limits"]?["memory"]);
            }

            Assert.All(task["spec"]!["params"]!.AsArray(), p => Assert.NotNull(p!["description"]));
            Assert.Equal("0.1", (string?)task["metadata"]!["labels"]!["app.kubernetes.io/version"]);
        }
    }
}
