using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace CiUpgrade.RealApiTests.Support;

/// <summary>
/// One real kube-apiserver (Kubernetes v1.26, with etcd) for one test collection: ../shared/tools/kube-apiserver's
/// up.sh started on free loopback ports of its own and a scratch folder of its own (other test runs share this
/// machine), stopped by the PIDs up.sh recorded (down.sh) when the collection ends, whatever its tests did. Tests
/// isolate from each other by namespace (<see cref="NewNamespace"/>).
/// </summary>
public sealed class RealApiServer : IAsyncLifetime
{
    /// <summary>The Debian package that provides the etcd up.sh starts (build/test.sh installs it).</summary>
    public const string EtcdPackage = "etcd-server";

    private static int _namespaces;
    private readonly string _home = Path.Combine(Path.GetTempPath(), "ciupgrade-realk8s-" + Guid.NewGuid().ToString("N")[..8]);
    private Dictionary<string, string?> _environment = [];
    private bool _started;

    /// <summary>The kubeconfig up.sh wrote: contexts realk8s-admin (current) and realk8s-viewer; its CA data is the [server certificate, CA] bundle.</summary>
    public string Kubeconfig => Path.Combine(_home, "kubeconfig");

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>etcd's client URL (plain HTTP on loopback), for compacting its history as kube-apiserver does every 5 minutes.</summary>
    public Uri EtcdUri { get; private set; } = null!;

    public string AdminToken { get; private set; } = string.Empty;

    public string ViewerToken { get; private set; } = string.Empty;

    /// <summary>What apiserver.crt holds: the serving certificate, then the CA that signed it.</summary>
    public X509Certificate2Collection ServingBundle { get; } = [];

    /// <summary>The private key kube-apiserver signs service account tokens with and verifies legacy ones by (up.sh's sa.key).</summary>
    public string ServiceAccountKey => Path.Combine(_home, "auth", "sa.key");

    /// <summary>A scratch folder of this instance that tests may write into (it goes with the instance).</summary>
    public string Scratch => Path.Combine(_home, "scratch");

    public RealApi Admin { get; private set; } = null!;

    public RealApi Viewer { get; private set; } = null!;

    /// <summary>The tools folder: ../shared/tools/kube-apiserver beside the repository (REALK8S_TOOLS overrides).</summary>
    public static string ToolsDirectory()
    {
        if (Environment.GetEnvironmentVariable("REALK8S_TOOLS") is { Length: > 0 } tools)
        {
            return tools;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CiUpgrade.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "tools", "kube-apiserver"));
            }
        }

        throw new InvalidOperationException("cannot find the repository root (CiUpgrade.sln) above " + AppContext.BaseDirectory);
    }

    public async Task InitializeAsync()
    {
        if (!OnPath("etcd"))
        {
            throw new InvalidOperationException($"etcd is not installed: install Debian's {EtcdPackage} package (apt-get install -y {EtcdPackage}; build/test.sh does it)");
        }

        Directory.CreateDirectory(Scratch);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var tools = ToolsDirectory();
        // Ports are chosen free, then bound by up.sh a moment later: another run may take one in between, which up.sh
        // reports ("already in use") before starting anything. Then new ports are tried.
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts(3);
            _environment = new Dictionary<string, string?>
            {
                ["REALK8S_HOME"] = _home,
                ["API_PORT"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ETCD_CLIENT_PORT"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ETCD_PEER_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            _started = true;
            var (code, output, error) = await ChildProcess.RunAsync("bash", [Path.Combine(tools, "up.sh"), "--fresh"], _environment, timeout.Token);
            if (code == 0)
            {
                BaseUri = new Uri($"https://127.0.0.1:{ports[0]}/");
                EtcdUri = new Uri($"http://127.0.0.1:{ports[1]}/");
                break;
            }

            if (attempt < 3 && error.Contains("already in use", StringComparison.Ordinal))
            {
                continue;
            }

            throw new InvalidOperationException($"up.sh exited {code}: {error.Trim()}\n{output}");
        }

        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(_home, "auth", "tokens.csv")))
        {
            var fields = line.Split(',');
            if (fields.Length >= 2 && fields[1] == "realk8s-admin")
            {
                AdminToken = fields[0];
            }
            else if (fields.Length >= 2 && fields[1] == "realk8s-viewer")
            {
                ViewerToken = fields[0];
            }
        }

        ServingBundle.ImportFromPemFile(Path.Combine(_home, "certs", "apiserver.crt"));
        Admin = new RealApi(BaseUri, ServingBundle, AdminToken);
        Viewer = new RealApi(BaseUri, ServingBundle, ViewerToken);
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        Viewer?.Dispose();
        if (_started)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await ChildProcess.RunAsync("bash", [Path.Combine(ToolsDirectory(), "down.sh"), "--purge"], _environment, timeout.Token);
        }

        Directory.Delete(_home, recursive: true);
    }

    /// <summary>
    /// Compacts etcd's history up to its current revision, through etcd's JSON gateway (/v3/kv/range, /v3/kv/compaction):
    /// what kube-apiserver's own compactor does every --etcd-compaction-interval (5 min), now, so that a continue token
    /// from before is expired.
    /// </summary>
    public async Task CompactEtcdAsync()
    {
        using var http = new HttpClient { BaseAddress = EtcdUri };
        using var range = await http.PostAsync("v3/kv/range", new StringContent("""{"key":"AA=="}"""));
        var revision = (string?)System.Text.Json.Nodes.JsonNode.Parse(await range.Content.ReadAsStringAsync())?["header"]?["revision"]
            ?? throw new InvalidOperationException("etcd did not report its revision");
        using var compacted = await http.PostAsync("v3/kv/compaction", new StringContent($$"""{"revision":"{{revision}}","physical":true}"""));
        Assert.True(compacted.IsSuccessStatusCode, $"etcd compaction: {(int)compacted.StatusCode} {await compacted.Content.ReadAsStringAsync()}");
    }

    /// <summary>A namespace name no other test of this instance uses (created by whoever seeds it).</summary>
    public static string NewNamespace(string prefix) =>
        $"{prefix}-{Interlocked.Increment(ref _namespaces).ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The kubeconfig with another certificate authority for the cluster (the bundle's CA alone, or any PEM).</summary>
    public string KubeconfigWithAuthority(string pem, string name)
    {
        var path = Path.Combine(Scratch, name);
        var data = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem));
        var lines = File.ReadAllLines(Kubeconfig).Select(l => l.TrimStart().StartsWith("certificate-authority-data:", StringComparison.Ordinal)
            ? l[..l.IndexOf('c', StringComparison.Ordinal)] + "certificate-authority-data: " + data
            : l);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, program)));

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
