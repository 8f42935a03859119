using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Auth;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Controllers;

/// <summary>BuildConfig binary builds over HTTP: instantiatebinary, the build's phases, the pushed image and what it rolls out.</summary>
public sealed class BuildTests : ClusterTest
{
    private const string Bc = "3scale-amp-system-oracle";
    private const string Path = $"/apis/build.openshift.io/v1/namespaces/{Ns}/buildconfigs/{Bc}/instantiatebinary";

    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    private JsonObject Get(string plural, string name) => Cluster.Registry.Get(plural, Ns, name)!;

    private static string LatestOfAmpSystem(JsonObject stream) =>
        (string)stream["status"]!["tags"]!.AsArray().Single(t => (string?)t!["tag"] == "latest")!["items"]![0]!["dockerImageReference"]!;

    private static byte[] TarGz(params string[] files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var file in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, file) { DataStream = new MemoryStream([1, 2, 3]) });
            }
        }

        return buffer.ToArray();
    }

    private async Task<(HttpStatusCode Code, JsonNode? Body)> UploadAsync(byte[] body, string? token = null)
    {
        using var api = Api(token ?? "admin");
        return await api.PostBytesAsync(Path, body);
    }

    [Fact]
    public void Oracle_seed_built_latest_through_the_build_and_rolled_the_system_dcs_out_once()
    {
        var build = Get("builds", Bc + "-1");
        Assert.Equal("Complete", (string?)build["status"]!["phase"]);
        Assert.Equal("DockerImage", (string?)build["spec"]!["strategy"]!["dockerStrategy"]!["from"]!["kind"]);
        Assert.Matches("^registry.redhat.io/3scale-amp26/system@sha256:[0-9a-f]{64}$", (string?)build["spec"]!["strategy"]!["dockerStrategy"]!["from"]!["name"]);
        Assert.Equal(1, (long)Get("buildconfigs", Bc)["status"]!["lastVersion"]!);
        var app = Get("deploymentconfigs", "system-app");
        Assert.Equal(1, (long)app["status"]!["latestVersion"]!);
        Assert.Equal(LatestOfAmpSystem(Get("imagestreams", "amp-system")), (string?)app["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public async Task Instantiatebinary_answers_the_running_build_then_the_build_pushes_latest_and_the_system_dcs_roll_out()
    {
        var before = LatestOfAmpSystem(Get("imagestreams", "amp-system"));

        var (code, body) = await UploadAsync(TarGz(ThreeScaleSeed.OracleClientFiles.ToArray()));

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("Build", (string?)body!["kind"]);
        Assert.Equal(Bc + "-2", (string?)body["metadata"]!["name"]);
        Assert.Equal("Running", (string?)body["status"]!["phase"]);
        Assert.Equal("Manually triggered", (string?)body["spec"]!["triggeredBy"]![0]!["message"]);
        Assert.Equal(Bc, (string?)body["metadata"]!["labels"]!["openshift.io/build-config.name"]);
        await Cluster.WaitForIdleAsync(Timeout);

        var build = Get("builds", Bc + "-2");
        Assert.Equal("Complete", (string?)build["status"]!["phase"]);
        var after = LatestOfAmpSystem(Get("imagestreams", "amp-system"));
        Assert.NotEqual(before, after);
        Assert.Equal("sha256:" + after.Split("@sha256:")[1], (string?)build["status"]!["output"]!["to"]!["imageDigest"]);
        Assert.StartsWith($"image-registry.openshift-image-registry.svc:5000/{Ns}/amp-system@sha256:", after, StringComparison.Ordinal);
        Assert.Equal(ThreeScaleSeed.OracleClientFiles, Cluster.BinaryUploads.FilesOf(Ns, Bc + "-2"));
        foreach (var dc in new[] { "system-app", "system-sidekiq", "system-sphinx" })
        {
            Assert.Equal(2, (long)Get("deploymentconfigs", dc)["status"]!["latestVersion"]!);
            Assert.Equal(after, (string?)Get("deploymentconfigs", dc)["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        }

        Assert.Equal(1, (long)Get("deploymentconfigs", "zync")["status"]!["latestVersion"]!);
    }

    [Fact]
    public async Task A_failing_build_ends_failed_with_its_reason_and_pushes_nothing()
    {
        Cluster.ControllerFaults.FailBuild(Ns, Bc);
        var before = LatestOfAmpSystem(Get("imagestreams", "amp-system"));

        var (code, _) = await UploadAsync(TarGz(ThreeScaleSeed.OracleClientFiles.ToArray()));
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(HttpStatusCode.Created, code);
        var status = Get("builds", Bc + "-2")["status"]!;
        Assert.Equal("Failed", (string?)status["phase"]);
        Assert.Equal("DockerBuildFailed", (string?)status["reason"]);
        Assert.Equal("Docker build strategy has failed.", (string?)status["message"]);
        Assert.Equal(before, LatestOfAmpSystem(Get("imagestreams", "amp-system")));
        Assert.Equal(1, (long)Get("deploymentconfigs", "system-app")["status"]!["latestVersion"]!);
    }

    /// <summary>Writes the first half of an archive, then, once the build runs and reads it, breaks off as a killed client does.</summary>
    private sealed class BrokenOffUpload(byte[] archive, Func<Task> running) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(archive.AsMemory(0, archive.Length / 2));
            await stream.FlushAsync();
            await running();
            throw new IOException("the client was killed mid-upload");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task An_upload_that_ends_early_cancels_the_build_as_the_api_server_does_and_pushes_nothing()
    {
        var before = LatestOfAmpSystem(Get("imagestreams", "amp-system"));
        var upload = new BrokenOffUpload(TarGz(ThreeScaleSeed.OracleClientFiles.ToArray()), async () =>
        {
            var changes = Cluster.Registry.Store.Watch(null, Ns, null, Timeout);
            while ((string?)Cluster.Registry.Get("builds", Ns, Bc + "-2")?["status"]?["phase"] != "Running")
            {
                await changes.ReadAsync(Timeout);
            }
        });

        using var api = Api();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.PostContentAsync(Path, upload));
        await Cluster.WaitForIdleAsync(Timeout);

        // binaryInstantiateHandler's deferred cancelBuild, then the build controller's cancelBuild.
        var status = Get("builds", Bc + "-2")["status"]!;
        Assert.Equal(("Cancelled", "CancelledBuild", "The build was cancelled by the user."), ((string?)status["phase"], (string?)status["reason"], (string?)status["message"]));
        Assert.True((bool)status["cancelled"]!);
        Assert.Null(Cluster.BinaryUploads.FilesOf(Ns, Bc + "-2"));
        Assert.Equal(before, LatestOfAmpSystem(Get("imagestreams", "amp-system")));
    }

    [Fact]
    public async Task A_body_that_is_no_archive_fails_the_build_fetching_its_source()
    {
        var (code, _) = await UploadAsync("just text"u8.ToArray());
        await Cluster.WaitForIdleAsync(Timeout);

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("FetchSourceFailed", (string?)Get("builds", Bc + "-2")["status"]!["reason"]);
    }

    [Fact]
    public async Task Instantiatebinary_needs_create_on_the_subresource_and_a_binary_build_config()
    {
        var token = Cluster.AddToken("viewer", [new PolicyRule(["*"], ["*"], ["get", "list", "watch"])]);
        var (denied, status) = await UploadAsync(TarGz("Dockerfile"), token);
        Assert.Equal(HttpStatusCode.Forbidden, denied);
        Assert.Contains($"cannot create resource \"buildconfigs/instantiatebinary\" in API group \"build.openshift.io\" in the namespace \"{Ns}\"", (string?)status!["message"], StringComparison.Ordinal);

        Cluster.Registry.Modify("buildconfigs", Ns, Bc, bc =>
        {
            bc["spec"]!["source"] = new JsonObject { ["type"] = "Git", ["git"] = new JsonObject { ["uri"] = "https://example.invalid/repo.git" } };
            return bc;
        });
        var (bad, badStatus) = await UploadAsync(TarGz("Dockerfile"));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("BadRequest", (string?)badStatus!["reason"]);
        Assert.Null(Cluster.Registry.Get("builds", Ns, Bc + "-2"));
    }
}
