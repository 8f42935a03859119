using CiUpgrade.Simulator;
using CiUpgrade.Simulator.Controllers;
using CiUpgrade.Simulator.Demo;
using CiUpgrade.Simulator.Seed;

// Console entry: `demo` (the README's first command), else start a seeded simulated cluster, write a kubeconfig,
// serve until Ctrl-C / SIGTERM.
if (args is ["demo", ..])
{
    using var cancelDemo = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancelDemo.Cancel();
    };
    return await DemoCommand.RunAsync(args[1..], Console.Out, Console.Error, cancelDemo.Token);
}

string ns = "3scale";
string? kubeconfig = null;
var port = 0;
var seed = "3scale-2.6";
var timing = "demo";
var copies = 1;
var serverVersion = "3.11";
long? dumpSize = null;
var dumpDcs = new List<string>();
string? stateDir = null;
var faults = new List<(string Spec, Action<SimulatedCluster> Apply)>();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "--namespace" or "-n": ns = Next(); break;
            case "--kubeconfig-out": kubeconfig = Next(); break;
            case "--port": port = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
            case "--seed": seed = Next(); break;
            case "--timing": timing = Next(); break;
            case "--namespaces": copies = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
            case "--server-version": serverVersion = Next(); break;
            case "--database-dump-size": dumpSize = long.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
            case "--database-dump-dc": dumpDcs.Add(Next()); break;
            case "--state-dir": stateDir = Next(); break;
            case "--fault": var spec = Next(); faults.Add((spec, CiUpgrade.Simulator.Faults.FaultKnobs.Parse(spec))); break;
            case "--help" or "-h":
                Console.WriteLine(DemoCommand.Usage);
                Console.WriteLine("usage: CiUpgrade.Simulator --namespace NS --kubeconfig-out FILE [--port 0] [--seed 3scale-2.6[,oracle][,no-optional][,postgresql]] [--timing fast|demo|real] [--server-version 3.11|4.x] [--database-dump-size BYTES: what each database pod's dump streams] [--database-dump-dc DC: only that DC's dump has that size (repeatable)] [--namespaces N: seed NS-0 .. NS-(N-1) instead of NS] [--state-dir DIR: keep the cluster's state there and resume it on the next start] [--fault NAME[=VALUE]]... (fault knobs, also POST /simulator/faults:)");
                foreach (var knob in CiUpgrade.Simulator.Faults.FaultKnobs.All)
                {
                    Console.WriteLine($"  {(knob.Usage.Length == 0 ? knob.Name : knob.Name + "=" + knob.Usage)}: {knob.Help}");
                }

                return 0;
            default: throw new ArgumentException($"unknown flag {args[i]} (see --help)");
        }
    }
    catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
}

if (kubeconfig is null)
{
    Console.Error.WriteLine("error: --kubeconfig-out FILE is required (where to write the kubeconfig for this cluster)");
    return 2;
}

SimulatedClusterOptions options;
try
{
    var parsed = SeedOptions.Parse(seed);
    var seeds = copies == 1 ? [(ns, parsed)] : Enumerable.Range(0, copies).Select(i => ($"{ns}-{i}", parsed)).ToList();
    options = new SimulatedClusterOptions
    {
        Port = port, Timing = ControllerTiming.Parse(timing), Seeds = seeds, ServerVersion = CiUpgrade.Simulator.Api.ServerVersion.Parse(serverVersion),
        StateDirectory = stateDir,
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
// SIGTERM (kill, timeout, a container stop): ASP.NET's console lifetime would swallow it, so handle it here.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var cluster = await SimulatedCluster.StartAsync(options, stop.Token);
cluster.WriteKubeconfig(kubeconfig, ns: ns);
if (dumpSize is { } size)
{
    foreach (var (seeded, _) in options.Seeds)
    {
        foreach (var dc in dumpDcs.Count > 0 ? dumpDcs.ToArray() : new[] { "system-mysql", "system-postgresql", "zync-database", "backend-redis", "system-redis" })
        {
            cluster.DatabaseDumps.SetSize(seeded, dc, size);
        }
    }
}

Console.WriteLine($"simulated OpenShift {cluster.ServerVersion} API at {cluster.BaseUri.ToString().TrimEnd('/')} (namespace {ns}); kubeconfig written to {kubeconfig}");
if (cluster.Restored)
{
    Console.WriteLine($"state resumed from {stateDir}");
}

foreach (var (spec, apply) in faults)
{
    apply(cluster);
    Console.WriteLine($"fault {spec} applied (more: POST {cluster.BaseUri.ToString().TrimEnd('/')}{CiUpgrade.Simulator.Api.ControlEndpoint.Path} with the kubeconfig's token)");
}
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;
