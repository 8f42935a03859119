using System.Net;
using CiUpgrade.Simulator.Tests.Support;

namespace CiUpgrade.Simulator.Tests.Api;

public sealed class HttpFaultTests : ClusterTest
{
    private const string Stream = "/apis/image.openshift.io/v1/namespaces/3scale/imagestreams/amp-system";

    [Fact]
    public async Task Injected_429_carries_retry_after_and_then_the_server_answers_again()
    {
        Cluster.HttpFaults.FailNext(1, 429);
        using var api = Api();

        var (code, status, response) = await api.GetAsync(Stream);
        var (next, _, _) = await api.GetAsync(Stream);

        Assert.Equal(HttpStatusCode.TooManyRequests, code);
        Assert.Equal("TooManyRequests", (string?)status!["reason"]);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal(1, (int)status["details"]!["retryAfterSeconds"]!);
        Assert.Equal(HttpStatusCode.OK, next);
    }

    [Fact]
    public async Task Injected_500s_are_internal_errors_for_the_given_count()
    {
        Cluster.HttpFaults.FailNext(2, 500);
        using var api = Api();

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            codes.Add((await api.GetAsync(Stream)).Code);
        }

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK], codes);
    }

    [Fact]
    public async Task Injected_conflicts_hit_writes_only()
    {
        Cluster.HttpFaults.ConflictNext(1);
        using var api = Api();

        var (read, _, _) = await api.GetAsync(Stream);
        var (write, status, _) = await api.SendAsync(HttpMethod.Patch, Stream, "{}", "application/merge-patch+json");
        var (again, _, _) = await api.SendAsync(HttpMethod.Patch, Stream, "{}", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.OK, read);
        Assert.Equal(HttpStatusCode.Conflict, write);
        Assert.Equal("Conflict", (string?)status!["reason"]);
        Assert.Equal(HttpStatusCode.OK, again);
    }

    [Fact]
    public async Task Failure_rate_with_a_fixed_seed_fails_some_requests()
    {
        Cluster.HttpFaults.FailRate(0.5, 503);
        using var api = Api();

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            codes.Add((await api.GetAsync(Stream)).Code);
        }

        Assert.Contains(HttpStatusCode.ServiceUnavailable, codes);
        Assert.Contains(HttpStatusCode.OK, codes);
    }

    [Fact]
    public async Task Every_request_is_recorded_with_its_method_path_and_status()
    {
        using var api = Api();
        Cluster.ClearRequests();

        await api.GetAsync(Stream);
        await api.SendAsync(HttpMethod.Patch, Stream, "[]", "application/json-patch+json");

        var recorded = Cluster.Requests.Where(r => r.Path == Stream).ToList();
        Assert.Equal(["GET", "PATCH"], recorded.Select(r => r.Method));
        Assert.Equal("[]", recorded[1].Body);
        Assert.All(recorded, r => Assert.Equal("system:admin", r.User));
    }
}
