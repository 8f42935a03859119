using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Auth;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Registry.Strategies;
using CiUpgrade.Simulator.Seed;
using CiUpgrade.Simulator.Storage;

namespace CiUpgrade.Simulator;

/// <summary>
/// A simulated OpenShift cluster on loopback: the API server, the controllers, RBAC, fault knobs and
/// seeding. Tests and the `demo` command reach it only over HTTP, through a kubeconfig it writes.
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    private readonly ApiServer _server;
    private readonly ControllerManager? _controllers;
    private readonly AccessControl _access;
    private readonly CancellationTokenSource _stopSaving = new();
    private Task _saver = Task.CompletedTask;

    private SimulatedCluster(ApiServer server, ResourceRegistry registry, AccessControl access, ControllerManager? controllers,
        ControllerFaults controllerFaults, HttpFaults httpFaults, string adminToken)
    {
        _server = server;
        Registry = registry;
        _access = access;
        _controllers = controllers;
        ControllerFaults = controllerFaults;
        HttpFaults = httpFaults;
        AdminToken = adminToken;
        Outage = new ListenerOutage(server);
    }

    /// <summary>https://127.0.0.1:port/</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>PEM of the server's self-signed certificate (the kubeconfig's certificate-authority-data).</summary>
    public string CertificateAuthorityPem => _server.CertificateAuthorityPem;

    /// <summary>A cluster-admin token.</summary>
    public string AdminToken { get; }

    /// <summary>Direct access to the stored state, for test setup and assertions.</summary>
    public ResourceRegistry Registry { get; }

    public ControllerFaults ControllerFaults { get; }

    public HttpFaults HttpFaults { get; }

    /// <summary>Stops and restarts the API server's listener (a control-plane restart), keeping the state.</summary>
    public ListenerOutage Outage { get; }

    /// <summary>Raised after each request is answered (on the request's thread: handlers must not block).</summary>
    public event Action<RecordedRequest>? RequestAnswered
    {
        add => _server.Handler.Recorded += value;
        remove => _server.Handler.Recorded -= value;
    }

    public IReadOnlyList<RecordedRequest> Requests => _server.Handler.Requests;

    /// <summary>What the database pods answer to a dump command through pods/exec (size, failures).</summary>
    public DatabaseDumps DatabaseDumps => _server.Handler.DatabaseDumps;

    /// <summary>What runs in the containers: the databases, redis servers and volumes of each namespace (for tests).</summary>
    public Containers.Workloads Workloads => _server.Handler.Workloads;

    /// <summary>Which API server this cluster answers as.</summary>
    public ServerVersion ServerVersion => _server.Handler.ServerVersion;

    /// <summary>What each binary build was sent (empty while the controllers are not running).</summary>
    public BinaryUploads BinaryUploads => _controllers?.Uploads ?? new BinaryUploads();

    /// <summary>Every deployment hook container run since the controllers started (seeding excluded).</summary>
    public IReadOnlyList<HookRun> HookRuns => _controllers?.HookRuns.All ?? [];

    /// <summary>How long the controllers have been busy with work paced by their own timing (see <see cref="ControllerManager.BusyTime"/>).</summary>
    public TimeSpan ControllerBusyTime => _controllers?.BusyTime ?? TimeSpan.Zero;

    public static async Task<SimulatedCluster> StartAsync(SimulatedClusterOptions options, CancellationToken cancellationToken = default)
    {
        var state = options.StateDirectory is { } directory ? new StateDirectory(directory) : null;
        var restored = state?.HasStore == true;
        var store = restored ? state!.LoadStore() : new ObjectStore();
        var registry = new ResourceRegistry(store, OpenShiftResources.All(options.ServerVersion))
        {
            ManagedFields = options.ServerVersion.KeepsManagedFields ? new ManagedFields(store.Time) : null,
        };
        foreach (var (ns, seed) in restored ? [] : options.Seeds)
        {
            ThreeScaleSeed.Seed(registry, ns, seed);
        }

        var controllerFaults = new ControllerFaults();
        var workloads = new Containers.Workloads(registry, new DatabaseDumps());
        var access = new AccessControl();
        var adminToken = access.AddToken(ControlEndpoint.AdminUser, [new Grant(null, PolicyRule.Everything)], state?.AdminToken());
        // Keyed from the admin token, which a state directory keeps: service account tokens survive a restart, as the
        // real server's signing key does.
        var tokens = new ServiceAccountTokens(SHA256.HashData(Encoding.UTF8.GetBytes("service-account-tokens:" + adminToken)));
        access.ServiceAccountTokens = token => tokens.Validate(token, registry, DateTimeOffset.UtcNow);
        var controllers = options.StartControllers ? new ControllerManager(registry, options.Timing, controllerFaults, tokens: tokens, version: options.ServerVersion, workloads: workloads) : null;
        var httpFaults = new HttpFaults(options.FaultSeed);
        var port = options.Port == 0 && state is not null ? state.Port() : options.Port;
        var server = await ApiServer.StartAsync(registry, access, httpFaults, () => controllers, options.ServerVersion, workloads, port, cancellationToken, state?.Certificate());
        tokens.CertificateAuthorityPem = server.CertificateAuthorityPem;
        server.Handler.ServiceAccountTokens = tokens;
        controllers?.Start();
        var cluster = new SimulatedCluster(server, registry, access, controllers, controllerFaults, httpFaults, adminToken)
        {
            DefaultNamespace = options.Seeds.Count > 0 ? options.Seeds[0].Namespace : "default",
            Restored = restored,
        };
        server.Handler.Control = new ControlEndpoint(cluster);
        if (state is not null)
        {
            state.SavePort(server.BaseUri.Port);
            state.SaveStore(registry.Store);
            cluster._saver = Task.Run(() => state.KeepSavedAsync(registry.Store, cluster._stopSaving.Token), CancellationToken.None);
        }

        return cluster;
    }

    /// <summary>Whether the store came from <see cref="SimulatedClusterOptions.StateDirectory"/> (a restart) instead of the seeds.</summary>
    public bool Restored { get; private init; }

    /// <summary>The namespace fault knobs act in when the spec names none: the first seeded one.</summary>
    public string DefaultNamespace { get; private init; } = "default";

    /// <summary>How many times a controller that threw was restarted.</summary>
    public int ControllerRestarts => _controllers?.Restarts ?? 0;

    /// <summary>Completes when the controller loop dies (for tests: wait on it instead of polling).</summary>
    public Task ControllersStopped => _controllers?.Stopped ?? Task.Delay(Timeout.Infinite);

    /// <summary>Why the controller loop died (null while it runs).</summary>
    public Exception? ControllerFailure => _controllers?.Failure;

    /// <summary>Applies one fault spec (`stick-dc=zync:ImagePullBackOff`, see <see cref="Faults.FaultKnobs"/>).</summary>
    public void ApplyFault(string spec) => Faults.FaultKnobs.Parse(spec)(this);

    public void ClearRequests() => _server.Handler.ClearRequests();

    /// <summary>
    /// What an API server restart does to watchers: the watch cache starts over (older resourceVersions answer 410)
    /// and every open watch stream ends. Stored objects are kept, and the controllers (openshift-controller-manager,
    /// another process on a real cluster) keep their in-process feed.
    /// </summary>
    public void RestartWatchCache()
    {
        Registry.Store.Compact();
        HttpFaults.CutWatches();
    }

    /// <summary>Seeds one more namespace as a healthy 3scale 2.6 install.</summary>
    public void Seed(string ns, SeedOptions seed) => ThreeScaleSeed.Seed(Registry, ns, seed);

    /// <summary>A token for <paramref name="user"/> with these rules everywhere.</summary>
    public string AddToken(string user, IReadOnlyList<PolicyRule> rules) =>
        _access.AddToken(user, rules.Select(r => new Grant(null, r)).ToList());

    /// <summary>A token for service account <paramref name="serviceAccount"/> in <paramref name="ns"/> bound to the Role (or ClusterRole) in the YAML.</summary>
    public string AddServiceAccountToken(string ns, string serviceAccount, string roleYaml) =>
        _access.AddToken($"system:serviceaccount:{ns}:{serviceAccount}", AccessControl.GrantsFromRoleYaml(roleYaml, ns));

    /// <summary>Writes a kubeconfig for this cluster (admin token unless one is given) and returns its path.</summary>
    public string WriteKubeconfig(string path, string? token = null, string? ns = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var yaml = new StringBuilder()
            .AppendLine("apiVersion: v1")
            .AppendLine("kind: Config")
            .AppendLine("clusters:")
            .AppendLine("- name: simulated")
            .AppendLine("  cluster:")
            .AppendLine(CultureInfo.InvariantCulture, $"    server: {BaseUri.ToString().TrimEnd('/')}")
            .AppendLine(CultureInfo.InvariantCulture, $"    certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(CertificateAuthorityPem))}")
            .AppendLine("users:")
            .AppendLine("- name: simulated-user")
            .AppendLine("  user:")
            .AppendLine(CultureInfo.InvariantCulture, $"    token: {token ?? AdminToken}")
            .AppendLine("contexts:")
            .AppendLine("- name: simulated")
            .AppendLine("  context:")
            .AppendLine("    cluster: simulated")
            .AppendLine("    user: simulated-user")
            .AppendLine(CultureInfo.InvariantCulture, $"    namespace: {ns ?? "default"}")
            .AppendLine("current-context: simulated")
            .ToString();
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Completes when the controllers have nothing left to do.</summary>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default) =>
        _controllers?.WaitForIdleAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_controllers is not null)
        {
            await _controllers.DisposeAsync();
        }

        // With a state directory, the last state is saved once the controllers have stopped writing.
        await _stopSaving.CancelAsync();
        await _saver;
        _stopSaving.Dispose();
        await _server.DisposeAsync();
        Workloads.Dispose();
    }
}
