using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CiUpgrade.RealApiTests.Support;
using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Auth;

namespace CiUpgrade.RealApiTests.Conformance;

/// <summary>
/// The servers the wire conformance tests send the same requests to: a real kube-apiserver (v1.26, the stand-in CRDs)
/// and the simulator in-process, once as OpenShift 4.x and once as OpenShift 3.11 (Kubernetes 1.11), each on a free
/// loopback port of its own, with no controllers (nothing may change an object between two requests). Each has an
/// admin and a `realk8s-viewer` with the rules up.sh gives the real one.
/// </summary>
public sealed class ConformanceServers : IAsyncLifetime
{
    private SimulatedCluster? _sim4;
    private SimulatedCluster? _sim311;

    public RealApiServer RealServer { get; } = new();

    /// <summary>The real server, then the simulator as 4.x, then as 3.11.</summary>
    public IReadOnlyList<ServerUnderTest> All { get; private set; } = [];

    public ServerUnderTest Real => All[0];

    public IEnumerable<ServerUnderTest> Simulators => All.Skip(1);

    public async Task InitializeAsync()
    {
        await RealServer.InitializeAsync();
        _sim4 = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { StartControllers = false, ServerVersion = ServerVersion.OpenShift4 });
        _sim311 = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { StartControllers = false, ServerVersion = ServerVersion.OpenShift311 });
        All =
        [
            new ServerUnderTest("kube-apiserver 1.26", null, RealServer.Admin, RealServer.Viewer, RealServer.CompactEtcdAsync),
            Simulated("simulator 4.x", _sim4),
            Simulated("simulator 3.11", _sim311),
        ];
    }

    public async Task DisposeAsync()
    {
        foreach (var server in All.Skip(1))
        {
            server.Admin.Dispose();
            server.Viewer.Dispose();
        }

        if (_sim4 is not null)
        {
            await _sim4.DisposeAsync();
        }

        if (_sim311 is not null)
        {
            await _sim311.DisposeAsync();
        }

        await RealServer.DisposeAsync();
    }

    /// <summary>A fresh namespace of the same name on every server.</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var ns = RealApiServer.NewNamespace(prefix);
        foreach (var server in All)
        {
            var created = await server.Admin.PostAsync("api/v1/namespaces", new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns },
            });
            Assert.True(created.Code == HttpStatusCode.Created, $"{server}: create namespace {ns}: {created}");
        }

        return ns;
    }

    private static ServerUnderTest Simulated(string name, SimulatedCluster cluster)
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPem(cluster.CertificateAuthorityPem);
        var viewer = cluster.AddToken("realk8s-viewer",
        [
            new PolicyRule(["image.openshift.io"], ["imagestreams"], ["get", "list", "watch"]),
            new PolicyRule(["apps.openshift.io"], ["deploymentconfigs"], ["get", "list", "watch"]),
            new PolicyRule([string.Empty], ["namespaces"], ["get", "list"]),
        ]);
        return new ServerUnderTest(name, cluster.ServerVersion, new RealApi(cluster.BaseUri, trusted, cluster.AdminToken), new RealApi(cluster.BaseUri, trusted, viewer),
            () =>
            {
                // What an API server restart or an etcd compaction leaves: older resourceVersions are gone.
                cluster.RestartWatchCache();
                return Task.CompletedTask;
            });
    }
}

/// <summary>One server of the comparison: the real one (<see cref="Version"/> null) or the simulator answering as a version.</summary>
public sealed record ServerUnderTest(string Name, ServerVersion? Version, RealApi Admin, RealApi Viewer, Func<Task> CompactAsync)
{
    public bool IsReal => Version is null;

    /// <summary>OpenShift 3.11 (Kubernetes 1.11), where the simulator must differ from the 1.26 server as 1.11 did.</summary>
    public bool Is311 => Version == ServerVersion.OpenShift311;

    public override string ToString() => Name;
}

[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceServers>
{
    public const string Name = "real API server: wire conformance";
}
