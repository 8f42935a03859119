using CiUpgrade.Simulator.Api;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Seed;

namespace CiUpgrade.Simulator;

/// <summary>How to start a <see cref="SimulatedCluster"/>.</summary>
public sealed record SimulatedClusterOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public ControllerTiming Timing { get; init; } = ControllerTiming.Fast;

    /// <summary>Namespaces to seed before the server starts.</summary>
    public IReadOnlyList<(string Namespace, SeedOptions Seed)> Seeds { get; init; } = [];

    public bool StartControllers { get; init; } = true;

    /// <summary>
    /// Keep the store, admin token, certificate and port in this directory: a start finding a store there resumes
    /// it (nothing is seeded) on the same port with the same kubeconfig, as an API server restarting on its etcd.
    /// </summary>
    public string? StateDirectory { get; init; }

    /// <summary>Seed of the HTTP fault injector's random rate.</summary>
    public int FaultSeed { get; init; } = 42;

    /// <summary>Which API server to answer as: OpenShift 3.11 (Kubernetes 1.11, the default: what this upgrade runs on) or 4.x.</summary>
    public ServerVersion ServerVersion { get; init; } = ServerVersion.OpenShift311;
}
