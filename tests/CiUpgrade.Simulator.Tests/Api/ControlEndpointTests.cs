using System.Net;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Auth;
using CiUpgrade.Simulator.Faults;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

/// <summary>The fault drill endpoint: every knob the tests use in-process, driven over HTTP with the admin token.</summary>
public sealed class ControlEndpointTests : ClusterTest
{
    private const string Faults = "/simulator/faults";
    private const string ConfigMaps = "/api/v1/namespaces/3scale/configmaps";
    private const string Streams = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams";

    /// <summary>Every knob this class drives; a knob added to <see cref="FaultKnobs"/> must be driven here too.</summary>
    private static readonly string[] Driven =
    [
        "http-error", "http-error-rate", "conflict", "latency", "drop-watches", "expire-watch", "restart-apiserver", "compact", "fail-import", "clear-import",
        "pin-digest", "stick-dc", "unstick-dc", "slow-dc", "fail-build", "clear-build", "fail-hook", "clear-hook", "crash-controller", "kill-controllers", "reset",
        "upload-limit",
    ];

    [Fact]
    public async Task Get_lists_every_knob_and_each_is_driven_by_a_test_here()
    {
        using var api = Api();

        var (code, list, _) = await api.GetAsync(Faults);

        Assert.Equal(HttpStatusCode.OK, code);
        var names = list!["knobs"]!.AsArray().Select(k => (string)k!["name"]!).ToList();
        Assert.Equal(FaultKnobs.All.Select(k => k.Name), names);
        Assert.Equal(names.Order(), Driven.Order());
        Assert.Contains("stick-dc=[NS/]DC[:ImagePullBackOff|CrashLoopBackOff]", list["knobs"]!.AsArray().Select(k => (string?)k!["usage"]));
    }

    [Fact]
    public async Task Only_the_admin_token_may_use_it()
    {
        var reader = Cluster.AddToken("reader", [new PolicyRule(["*"], ["*"], ["get", "list"], null)]);
        using var anonymous = Api(null);
        using var unknown = Api("sha256~nope");
        using var user = Api(reader);

        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(Faults)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await unknown.GetAsync(Faults)).Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.SendAsync(HttpMethod.Post, Faults, """{"fault":"kill-controllers"}""")).Code);
        Assert.Null(Cluster.ControllerFailure);
    }

    [Theory]
    [InlineData("""{"fault":"stick-dc=zync:Sleepy"}""", "fault stick-dc: \"Sleepy\" is not ImagePullBackOff or CrashLoopBackOff")]
    [InlineData("""{"fault":"nope"}""", "unknown fault \"nope\"")]
    [InlineData("""{"faults":["http-error=abc"]}""", "fault http-error: \"abc\" is not a whole number")]
    [InlineData("""{"faults":[]}""", "at least one fault")]
    [InlineData("not json", "the body must be")]
    public async Task A_bad_spec_is_a_400_naming_what_is_wrong_and_applies_nothing(string body, string message)
    {
        using var api = Api();

        var (code, status, _) = await api.SendAsync(HttpMethod.Post, Faults, body);

        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains(message, (string?)status!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_knobs_answer_errors_conflicts_latency_and_drop_watches_and_a_delete_resets_them()
    {
        using var api = Api();

        await Apply(api, "http-error=503:1:GET:/api/v1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.GetAsync(ConfigMaps)).Code);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ConfigMaps)).Code);

        await Apply(api, "http-error-rate=1:502");
        Assert.Equal(HttpStatusCode.BadGateway, (await api.GetAsync(ConfigMaps)).Code);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Delete, Faults)).Code);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ConfigMaps)).Code);

        await Apply(api, "conflict=1:/apis/image.openshift.io", "latency=1ms");
        Assert.Equal(HttpStatusCode.Conflict, (await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"a":"b"}}}""", "application/merge-patch+json")).Code);
        Assert.Equal(TimeSpan.FromMilliseconds(1), Cluster.HttpFaults.Latency);

        await Apply(api, "drop-watches=0");
        Assert.Empty(await api.WatchAsync(Streams + "?watch=true", Timeout).ToListAsync(Timeout));
        await Apply(api, "drop-watches=off");
        Assert.Null(Cluster.HttpFaults.DropWatchesAfterEvents);
    }

    [Fact]
    public async Task Upload_limit_is_a_proxy_that_answers_413_to_a_larger_binary_build_upload_and_off_removes_it()
    {
        using var api = Api();
        const string upload = "/apis/build.openshift.io/v1/namespaces/3scale/buildconfigs/no-such-build/instantiatebinary";

        await Apply(api, "upload-limit=10");
        var (refused, page) = await api.PostBytesForTextAsync(upload, new byte[11]);
        // Under the limit the request reaches the API server, which answers for itself (no such BuildConfig here).
        var (passed, _) = await api.PostBytesForTextAsync(upload, new byte[10]);
        await Apply(api, "upload-limit=off");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused);
        Assert.Contains("413 Request Entity Too Large", page, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, passed);
        Assert.Null(Cluster.HttpFaults.UploadLimit);
    }

    [Fact]
    public async Task Expire_watch_tells_the_next_watches_from_a_resource_version_that_it_is_too_old()
    {
        using var api = Api();
        var (_, list, _) = await api.GetAsync(Streams);
        var rv = (string)list!["metadata"]!["resourceVersion"]!;

        await Apply(api, "expire-watch=1:/apis/image.openshift.io");

        // A watch without a resourceVersion (it starts from the current state) is not affected.
        await using (var fresh = api.WatchAsync(Streams + "?watch=true", Timeout).GetAsyncEnumerator(Timeout))
        {
            Assert.True(await fresh.MoveNextAsync());
            Assert.Equal("ADDED", (string?)fresh.Current["type"]);
        }

        var expired = await api.WatchAsync($"{Streams}?watch=true&resourceVersion={rv}", Timeout).ToListAsync(Timeout);
        var error = Assert.Single(expired);
        Assert.Equal(("ERROR", 410), ((string?)error["type"], (int)error["object"]!["code"]!));
        Assert.StartsWith($"too old resource version: {rv} (", (string?)error["object"]!["message"], StringComparison.Ordinal);

        // Only the next one: the watch after it starts from the same resourceVersion and replays a change.
        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"a":"b"}}}""", "application/merge-patch+json");
        var replay = await api.WatchAsync($"{Streams}?watch=true&resourceVersion={rv}", Timeout).FirstAsync(Timeout);
        Assert.Equal("MODIFIED", (string?)replay["type"]);
    }

    [Fact]
    public async Task Compaction_and_an_api_server_restart_end_open_watches_and_expire_old_resource_versions()
    {
        using var api = Api();
        var (_, list, _) = await api.GetAsync(Streams);
        var old = (string)list!["metadata"]!["resourceVersion"]!;
        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"a":"b"}}}""", "application/merge-patch+json");
        await using var open = api.WatchAsync($"{Streams}?watch=true&resourceVersion={old}", Timeout).GetAsyncEnumerator(Timeout);
        Assert.True(await open.MoveNextAsync(), "the watch replays the change after its resourceVersion");

        await Apply(api, "restart-apiserver");
        Assert.False(await open.MoveNextAsync(), "an API server restart ends every open watch");
        var first = await api.WatchAsync($"{Streams}?watch=true&resourceVersion={old}", Timeout).FirstAsync(Timeout);
        Assert.Equal(("ERROR", 410), ((string?)first["type"], (int)first["object"]!["code"]!));

        await api.SendAsync(HttpMethod.Patch, Streams + "/amp-zync", """{"metadata":{"labels":{"a":"c"}}}""", "application/merge-patch+json");
        var (_, after, _) = await api.GetAsync(Streams);
        await Apply(api, "compact");
        var expired = await api.WatchAsync($"{Streams}?watch=true&resourceVersion={long.Parse((string)after!["metadata"]!["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture) - 1}", Timeout).FirstAsync(Timeout);
        Assert.Equal(410, (int)expired["object"]!["code"]!);
    }

    [Fact]
    public async Task Controller_knobs_set_import_build_and_rollout_faults_and_clear_them()
    {
        using var api = Api();
        const string image = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7";
        const string digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        await Apply(api, $"fail-import={image},NotFound", $"pin-digest={image},{digest}", "stick-dc=zync:CrashLoopBackOff", "slow-dc=3scale/system-app:2s", "fail-build=3scale-amp-system-oracle:Error:GenericBuildFailed");

        Assert.Equal("NotFound", Cluster.ControllerFaults.ImportFailureFor(image)?.Reason);
        Assert.Equal(digest, Cluster.ControllerFaults.PinnedDigest(image));
        Assert.Equal("CrashLoopBackOff", Cluster.ControllerFaults.PodFailureFor(Ns, "zync")?.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), Cluster.ControllerFaults.ExtraDelayFor(Ns, "system-app"));
        Assert.Equal(("Error", "GenericBuildFailed"), (Cluster.ControllerFaults.BuildFailureFor(Ns, "3scale-amp-system-oracle")?.Phase, Cluster.ControllerFaults.BuildFailureFor(Ns, "3scale-amp-system-oracle")?.Reason));

        await Apply(api, $"clear-import={image}", "unstick-dc=zync", "clear-build=3scale-amp-system-oracle");
        Assert.Null(Cluster.ControllerFaults.ImportFailureFor(image));
        Assert.Null(Cluster.ControllerFaults.PodFailureFor(Ns, "zync"));
        Assert.Null(Cluster.ControllerFaults.BuildFailureFor(Ns, "3scale-amp-system-oracle"));

        await Apply(api, "reset");
        Assert.Null(Cluster.ControllerFaults.PinnedDigest(image));
        Assert.Equal(TimeSpan.Zero, Cluster.ControllerFaults.ExtraDelayFor(Ns, "system-app"));
    }

    [Fact]
    public async Task A_crash_looping_dc_fails_its_rollout_until_unstuck()
    {
        using var api = Api();
        const string Rc = "/api/v1/namespaces/3scale/replicationcontrollers/";

        await Apply(api, "stick-dc=zync:CrashLoopBackOff");
        await RolloutAsync(api, "zync");

        Assert.Equal("Failed", (string?)(await api.GetAsync(Rc + "zync-2")).Body!["metadata"]!["annotations"]!["openshift.io/deployment.phase"]);
        Assert.Equal(1, (long)(await api.GetAsync(Rc + "zync-1")).Body!["status"]!["readyReplicas"]!);

        await Apply(api, "unstick-dc=zync");
        await RolloutAsync(api, "zync");

        Assert.Equal("Complete", (string?)(await api.GetAsync(Rc + "zync-3")).Body!["metadata"]!["annotations"]!["openshift.io/deployment.phase"]);
    }

    [Fact]
    public async Task Hook_knobs_fail_the_pre_hook_of_every_rollout_until_cleared()
    {
        using var api = Api();
        const string Rc = "/api/v1/namespaces/3scale/replicationcontrollers/";

        await Apply(api, "fail-hook=system-app:3");
        await RolloutAsync(api, "system-app");

        // system-app's hook has failurePolicy Retry (amp-2.6.yml): the kubelet restarts the failing container until
        // the pod's deadline, and the rollout fails.
        Assert.NotEmpty(Cluster.HookRuns);
        Assert.All(Cluster.HookRuns, r => Assert.Equal(("system-app-2", 3), (r.ReplicationController, r.ExitCode)));
        Assert.Equal("Failed", (string?)(await api.GetAsync(Rc + "system-app-2")).Body!["metadata"]!["annotations"]!["openshift.io/deployment.phase"]);
        var (_, log, _) = await api.GetTextAsync("/api/v1/namespaces/3scale/pods/system-app-2-hook-pre/log?tailLines=4");
        Assert.StartsWith("rake aborted!\n", log, StringComparison.Ordinal);

        await Apply(api, "clear-hook=system-app");
        await RolloutAsync(api, "system-app");

        Assert.Equal(("system-app-3", 0), (Cluster.HookRuns[^1].ReplicationController, Cluster.HookRuns[^1].ExitCode));
        Assert.Equal("Complete", (string?)(await api.GetAsync(Rc + "system-app-3")).Body!["metadata"]!["annotations"]!["openshift.io/deployment.phase"]);
    }

    [Fact]
    public async Task Crash_and_kill_knobs_restart_a_controller_and_stop_the_loop()
    {
        using var api = Api();

        await Apply(api, "crash-controller=serviceaccount:2");
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, ConfigMaps, """{"metadata":{"name":"poke"}}""")).Code);
        await Cluster.WaitForIdleAsync(Timeout);
        Assert.Equal(2, Cluster.ControllerRestarts);

        await Apply(api, "kill-controllers");
        await Cluster.ControllersStopped.WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.InternalServerError, (await api.GetAsync(ConfigMaps)).Code);
    }

    /// <summary>A new rollout of <paramref name="dc"/> (`oc rollout latest`), started from an idle cluster, waited to its end.</summary>
    private async Task RolloutAsync(ApiClient api, string dc)
    {
        await Cluster.WaitForIdleAsync(Timeout);
        var (code, body, _) = await api.SendAsync(HttpMethod.Post, $"/apis/apps.openshift.io/v1/namespaces/3scale/deploymentconfigs/{dc}/instantiate",
            $$"""{"kind":"DeploymentRequest","apiVersion":"apps.openshift.io/v1","name":"{{dc}}","latest":true,"force":true}""");
        Assert.True(code == HttpStatusCode.Created, body?.ToJsonString());
        await Cluster.WaitForIdleAsync(Timeout);
    }

    private static async Task Apply(ApiClient api, params string[] specs)
    {
        var (code, body, _) = await api.SendAsync(HttpMethod.Post, Faults, new JsonObject { ["faults"] = new JsonArray(specs.Select(s => (JsonNode)s).ToArray()) }.ToJsonString());
        Assert.True(code == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal(specs, body!["applied"]!.AsArray().Select(s => (string?)s));
    }
}
