using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

/// <summary>Where the simulator once differed from a real API server seen side by side (issue 14).</summary>
public sealed class FidelityTests : ClusterTest
{
    private const string Streams = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams";
    private const string Core = "/api/v1/namespaces/3scale";

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("12x")]
    public async Task Watch_with_a_resource_version_that_is_not_a_number_is_a_400_status_not_a_stream(string resourceVersion)
    {
        using var api = Api();

        var (code, status, response) = await api.GetAsync($"{Streams}?watch=true&resourceVersion={resourceVersion}");

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("Status", "Failure", "BadRequest", 400), ((string?)status!["kind"], (string?)status["status"], (string?)status["reason"], (int)status["code"]!));
        Assert.Contains(resourceVersion, (string?)status["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("registry.redhat.io/3scale-amp2/System-rhel7:3scale2.7", "invalid reference format: repository name must be lowercase")]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7:3scale 2.7", "invalid reference format")]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7@sha256:abc", "invalid reference format")]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7@sha256:0123456789abcdef0123456789abcdef", "invalid checksum digest length")]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7@md5:0123456789abcdef0123456789abcdef", "unsupported digest algorithm")]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "invalid checksum digest format")]
    [InlineData("registry.redhat.io//system-rhel7:3scale2.7", "invalid reference format")]
    public async Task Invalid_image_reference_in_a_tag_is_422_with_the_parsers_message_and_a_cause_naming_the_field(string image, string error)
    {
        using var api = Api();
        var patch = new JsonArray(new JsonObject
        {
            ["op"] = "add",
            ["path"] = "/spec/tags/-",
            ["value"] = new JsonObject { ["name"] = "2.7", ["from"] = new JsonObject { ["kind"] = "DockerImage", ["name"] = image } },
        }).ToJsonString();

        var (code, status, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-system", patch, "application/json-patch+json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", (string?)status!["reason"]);
        Assert.Equal($"ImageStream.image.openshift.io \"amp-system\" is invalid: spec.tags[2.7].from.name: Invalid value: \"{image}\": {error}", (string?)status["message"]);
        var details = status["details"]!;
        Assert.Equal(("amp-system", "image.openshift.io", "ImageStream"), ((string?)details["name"], (string?)details["group"], (string?)details["kind"]));
        var cause = Assert.Single(details["causes"]!.AsArray())!;
        Assert.Equal(("FieldValueInvalid", $"Invalid value: \"{image}\": {error}", "spec.tags[2.7].from.name"),
            ((string?)cause["reason"], (string?)cause["message"], (string?)cause["field"]));
    }

    [Theory]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7")]
    [InlineData("mirror.example.com:5000/a/b/c/system:v1.2_3")]
    [InlineData("system-rhel7")]
    [InlineData("registry.redhat.io/3scale-amp2/system-rhel7@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public async Task Valid_image_references_are_accepted(string image)
    {
        using var api = Api();
        var patch = "[{\"op\":\"add\",\"path\":\"/spec/tags/-\",\"value\":{\"name\":\"2.7\",\"from\":{\"kind\":\"DockerImage\",\"name\":\"" + image + "\"}}}]";

        var (code, body, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-system", patch, "application/json-patch+json");

        Assert.True(code == HttpStatusCode.OK, body?.ToJsonString());
    }

    [Fact]
    public async Task Several_validation_errors_are_one_cause_each_and_the_message_lists_them()
    {
        using var api = Api();
        var patch = """[{"op":"add","path":"/spec/tags/-","value":{"name":"a","from":{"kind":"DockerImage","name":"UPPER"}}},{"op":"add","path":"/spec/tags/-","value":{"name":"b","from":{"kind":"Nope","name":"x"}}}]""";

        var (code, status, _) = await api.SendAsync(HttpMethod.Patch, Streams + "/amp-system", patch, "application/json-patch+json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal(["spec.tags[a].from.name", "spec.tags[b].from.kind"], status!["details"]!["causes"]!.AsArray().Select(c => (string?)c!["field"]));
        Assert.StartsWith("ImageStream.image.openshift.io \"amp-system\" is invalid: [spec.tags[a].from.name: ", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_namespace_has_the_default_builder_and_deployer_service_accounts_and_deployer_pods_run_as_deployer()
    {
        using var api = Api();

        var (_, accounts, _) = await api.GetAsync(Core + "/serviceaccounts");
        var (_, deployer, _) = await api.GetAsync(Core + "/pods/zync-1-deploy");

        var names = accounts!["items"]!.AsArray().Select(a => (string?)a!["metadata"]!["name"]).ToList();
        Assert.Contains("default", names);
        Assert.Contains("builder", names);
        Assert.Contains("deployer", names);
        Assert.Equal("deployer", (string?)deployer!["spec"]!["serviceAccountName"]);
        Assert.Equal("deployer", (string?)deployer["spec"]!["serviceAccount"]);
    }

    [Fact]
    public async Task Replication_controllers_and_pods_carry_the_core_v1_defaults()
    {
        using var api = Api();

        var (_, rc, _) = await api.GetAsync(Core + "/replicationcontrollers/zync-1");
        var (_, pods, _) = await api.GetAsync(Core + "/pods?labelSelector=deployment%3Dzync-1");

        foreach (var spec in new[] { rc!["spec"]!["template"]!["spec"]!, pods!["items"]![0]!["spec"]! })
        {
            Assert.Equal("Always", (string?)spec["restartPolicy"]);
            Assert.Equal("ClusterFirst", (string?)spec["dnsPolicy"]);
            Assert.Equal(30, (int)spec["terminationGracePeriodSeconds"]!);
            Assert.Equal("default-scheduler", (string?)spec["schedulerName"]);
            Assert.NotNull(spec["securityContext"]);
            var container = spec["containers"]![0]!;
            Assert.Equal("/dev/termination-log", (string?)container["terminationMessagePath"]);
            Assert.Equal("File", (string?)container["terminationMessagePolicy"]);
            Assert.Equal("IfNotPresent", (string?)container["imagePullPolicy"]);
        }

        Assert.NotNull(rc["spec"]!["selector"]);
        Assert.Equal("amp", (string?)pods["items"]![0]!["spec"]!["serviceAccountName"]);
        Assert.Equal("amp", (string?)pods["items"]![0]!["spec"]!["serviceAccount"]);
    }

    [Fact]
    public async Task A_pod_created_through_the_api_gets_the_defaults_and_latest_means_pull_always()
    {
        using var api = Api();

        var (code, pod, _) = await api.SendAsync(HttpMethod.Post, Core + "/pods",
            """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"quay.io/x/y","ports":[{"containerPort":80}]},{"name":"d","image":"quay.io/x/y:1.0"}]}}""");

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal(["Always", "IfNotPresent"], pod!["spec"]!["containers"]!.AsArray().Select(c => (string?)c!["imagePullPolicy"]));
        Assert.Equal("TCP", (string?)pod["spec"]!["containers"]![0]!["ports"]![0]!["protocol"]);
        Assert.Equal("default", (string?)pod["spec"]!["serviceAccountName"]);
    }
}
