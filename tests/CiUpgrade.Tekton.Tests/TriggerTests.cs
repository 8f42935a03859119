using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CiUpgrade.Tekton.Tests;

/// <summary>
/// The upgrade trigger only starts a PipelineRun for a request signed with the shared secret (see
/// <see cref="TriggerContract"/> for what is and is not evaluated without a cluster), and only pods the README
/// names may reach the listener at all.
/// </summary>
public sealed class TriggerTests
{
    private const string Secret = "s3cr3t-from-the-ciupgrade-webhook-secret";
    private const string Body = """{"namespace":"3scale","targetVersion":"2.7"}""";

    private static readonly TriggerContract Contract = new(new Dictionary<(string, string), string> { [("ciupgrade-webhook", "secretToken")] = Secret });

    private static string Sign(string body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private static Dictionary<string, string> Headers(string? signature) => signature is null
        ? new() { ["Content-Type"] = "application/json" }
        : new() { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signature };

    [Fact]
    public void An_unauthenticated_request_creates_no_pipelinerun()
    {
        var outcome = Contract.Post("3scale-upgrade", Headers(null), Body);

        Assert.Null(outcome.PipelineRun);
        Assert.Equal("Must set X-Hub-Signature-256 or X-Hub-Signature header", outcome.Rejection);
    }

    [Theory]
    [InlineData("another secret", Body)]
    [InlineData(Secret, """{"namespace":"3scale","targetVersion":"2.6"}""")]
    public void A_wrongly_signed_request_creates_no_pipelinerun(string signedWith, string signedBody)
    {
        // Signed with another secret, or a signature of another body (a replayed signature on a changed target).
        var outcome = Contract.Post("3scale-upgrade", Headers(Sign(signedBody, signedWith)), Body);

        Assert.Null(outcome.PipelineRun);
        Assert.Equal("payload signature check failed", outcome.Rejection);
    }

    [Theory]
    [InlineData("sha256=zz", "error decoding signature")]
    [InlineData("md5=00", "unknown hash type prefix")]
    [InlineData("sha256", "error parsing signature")]
    public void A_malformed_signature_creates_no_pipelinerun(string signature, string rejection)
    {
        var outcome = Contract.Post("3scale-upgrade", Headers(signature), Body);

        Assert.Null(outcome.PipelineRun);
        Assert.StartsWith(rejection, outcome.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signed_request_without_the_fields_is_filtered_out()
    {
        const string body = """{"namespace":"3scale"}""";

        var outcome = Contract.Post("3scale-upgrade", Headers(Sign(body, Secret)), body);

        Assert.Null(outcome.PipelineRun);
        Assert.NotNull(outcome.Rejection);
    }

    [Fact]
    public void A_signed_request_creates_a_valid_pipelinerun_of_the_upgrade_pipeline()
    {
        var outcome = Contract.Post("3scale-upgrade", Headers(Sign(Body, Secret)), Body);

        Assert.Null(outcome.Rejection);
        var run = outcome.PipelineRun!;
        Assert.Empty(SchemaValidator.Validate(run, TektonFiles.Schema("tekton.dev", "PipelineRun", "v1")!));
        Assert.Equal("3scale-upgrade", (string?)run["spec"]!["pipelineRef"]!["name"]);
        Assert.Equal(("3scale", "2.7"), ((string?)Param(run, "namespace"), (string?)Param(run, "target-version")));
        PipelineRunChecks.AssertBindsEveryRequiredWorkspaceAndDeclaredParams(run);
    }

    [Fact]
    public void A_signed_request_naming_a_target_secret_binds_it_as_the_target_workspace()
    {
        const string body = """{"namespace":"3scale","targetVersion":"2.7","target":"ciupgrade-target-prod"}""";

        var outcome = Contract.Post("3scale-upgrade", Headers(Sign(body, Secret)), body);

        Assert.Null(outcome.Rejection);
        var run = outcome.PipelineRun!;
        Assert.Empty(SchemaValidator.Validate(run, TektonFiles.Schema("tekton.dev", "PipelineRun", "v1")!));
        var target = run["spec"]!["workspaces"]!.AsArray().Single(w => (string?)w!["name"] == "target")!;
        Assert.Equal("ciupgrade-target-prod", (string?)target["secret"]!["secretName"]);
        PipelineRunChecks.AssertBindsEveryRequiredWorkspaceAndDeclaredParams(run);
    }

    [Fact]
    public void A_signed_request_without_a_target_binds_an_empty_directory_as_the_target_this_cluster()
    {
        var run = Contract.Post("3scale-upgrade", Headers(Sign(Body, Secret)), Body).PipelineRun!;

        var target = run["spec"]!["workspaces"]!.AsArray().Single(w => (string?)w!["name"] == "target")!;
        Assert.NotNull(target["emptyDir"]);
    }

    [Fact]
    public void The_signature_is_checked_first_with_the_shared_secret_by_every_trigger()
    {
        foreach (var trigger in TektonFiles.Find("EventListener", "3scale-upgrade")["spec"]!["triggers"]!.AsArray())
        {
            var first = trigger!["interceptors"]!.AsArray()[0]!;

            Assert.Equal("github", (string?)first["ref"]!["name"]);
            var secretRef = first["params"]!.AsArray().Single(p => (string?)p!["name"] == "secretRef")!["value"]!;
            Assert.Equal(("ciupgrade-webhook", "secretToken"), ((string?)secretRef["secretName"], (string?)secretRef["secretKey"]));
        }
    }

    [Fact]
    public void The_network_policy_lets_in_only_the_labelled_clients_on_the_listener_port()
    {
        var policy = TektonFiles.Documents().Select(d => d.Doc).Single(d => (string?)d["kind"] == "NetworkPolicy");
        var spec = policy["spec"]!;

        // Tekton Triggers labels the listener's pods eventlistener=<name> (tektoncd/triggers examples select them so).
        Assert.Equal("""{"eventlistener":"3scale-upgrade"}""", spec["podSelector"]!["matchLabels"]!.ToJsonString());
        Assert.Equal("""["Ingress"]""", spec["policyTypes"]!.ToJsonString());
        var rule = Assert.Single(spec["ingress"]!.AsArray())!;
        Assert.Equal("""[{"protocol":"TCP","port":8080}]""", rule["ports"]!.ToJsonString());
        var peers = rule["from"]!.AsArray().Select(p => p!.ToJsonString()).ToList();
        Assert.Equal(
            [
                """{"podSelector":{"matchLabels":{"ciupgrade-trigger-client":"true"}}}""",
                """{"namespaceSelector":{"matchLabels":{"ciupgrade-trigger-client":"true"}}}""",
            ],
            peers);
        var readme = File.ReadAllText(Path.Combine(TektonFiles.Root, "README.md"));
        Assert.Contains("ciupgrade-trigger-client=true", readme, StringComparison.Ordinal);
    }

    private static JsonNode? Param(JsonObject run, string name) =>
        run["spec"]!["params"]!.AsArray().Single(p => (string?)p!["name"] == name)!["value"];
}
