using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CiUpgrade.Cli;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.IntegrationTests;

/// <summary>
/// build-oracle-system killed during its binary upload (issue 21): the build it started runs on without its input, and
/// the API server cancels it once the upload breaks off — possibly after the rerun has decided to follow it. A build
/// this run did not start that ends Cancelled leads to a new decision (a fresh build), not to a failure.
/// </summary>
public sealed class OracleOrphanBuildTests : UpgradeTest
{
    private const string Bc = "3scale-amp-system-oracle";

    protected override SeedOptions Seed => SeedOptions.Parse("3scale-2.6,oracle");

    /// <summary>
    /// An upload body that sends a few bytes, then waits until the test kills it: the content then fails, so the client
    /// drops the connection mid-body, as a killed process's connection drops.
    /// </summary>
    private sealed class HangingUpload(Task killed) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(new byte[512], cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await killed.WaitAsync(cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    /// <summary>Collects the stage's output and completes when a line containing the marker is written.</summary>
    private sealed class WatchedWriter(string marker) : StringWriter(System.Globalization.CultureInfo.InvariantCulture)
    {
        public TaskCompletionSource Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(marker, StringComparison.Ordinal) == true)
            {
                Seen.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task A_build_of_a_killed_run_that_the_server_cancels_while_the_rerun_follows_it_is_replaced_by_a_fresh_build()
    {
        var dir = OracleClientDir();
        // amp-system:2.7 and the BuildConfig's base in place, and no build on it that completed (it failed).
        Cluster.ControllerFaults.FailBuild(Ns, Bc);
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);
        Assert.Equal(5, (await Ciupgrade("build-oracle-system", "--oracle-client-dir", dir, "--no-wait")).Code);
        Cluster.ControllerFaults.ClearBuildFailure(Ns, Bc);

        // The killed run: its upload started, and hangs while its build runs.
        var before = BuildNames();
        var kill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var killed = new CancellationTokenSource();
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Cluster.BaseUri, $"apis/build.openshift.io/v1/namespaces/{Ns}/buildconfigs/{Bc}/instantiatebinary"))
        {
            Content = new HangingUpload(kill.Task),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Cluster.AdminToken);
        var upload = http.SendAsync(request, killed.Token);
        string? orphan = null;
        await WaitUntilAsync(() => (orphan = Builds().FirstOrDefault(b => !before.Contains(b.Name()) && (string?)b["status"]?["phase"] == "Running")?.Name()) is not null);

        // The rerun decides to follow that build; then the upload breaks off (the kill reaches the server) and the server cancels it.
        using var output = new WatchedWriter($"build {orphan} is already Running; following it");
        using var error = new StringWriter();
        var rerun = CliApp.RunAsync(["build-oracle-system", "--oracle-client-dir", dir, "--kubeconfig", Kubeconfig, "--timeout", "5m"], output, error, Timeout);
        await Task.WhenAny(output.Seen.Task, rerun);
        Assert.True(output.Seen.Task.IsCompleted, $"the rerun did not follow the killed run's build: {error}\n{output}");
        kill.SetException(new IOException("the killed run's connection"));
        await killed.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => upload);

        var code = await rerun;

        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Equal("Cancelled", (string?)Get("builds", orphan!)["status"]!["phase"]);
        Assert.Contains($"build {orphan}, started by an earlier run, was cancelled (CancelledBuild: its upload did not complete): deciding again", output.ToString(), StringComparison.Ordinal);
        var fresh = Assert.Single(Builds(), b => !before.Contains(b.Name()) && b.Name() != orphan);
        Assert.Equal("Complete", (string?)fresh["status"]!["phase"]);
        Assert.Null(Cluster.Registry.Get("configmaps", Ns, "ciupgrade-lock"));
    }

    private IReadOnlyList<JsonObject> Builds() => Cluster.Registry.List("builds", Ns).Items;

    private HashSet<string> BuildNames() => Builds().Select(b => b.Name()).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task A_build_this_run_started_that_ends_cancelled_stops_the_stage()
    {
        Cluster.ControllerFaults.FailBuild(Ns, Bc, "Cancelled", "CancelledBuild");
        Assert.Equal(0, (await Ciupgrade("update-prehook")).Code);

        var (code, _, error) = await Ciupgrade("build-oracle-system", "--oracle-client-dir", OracleClientDir());

        Assert.Equal(5, code);
        Assert.Contains($"build {Bc}-2 Cancelled (CancelledBuild)", error, StringComparison.Ordinal);
    }
}
