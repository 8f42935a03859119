using CiUpgrade.Simulator.Controllers;
using static CiUpgrade.Simulator.Faults.FaultValue;

namespace CiUpgrade.Simulator.Faults;

/// <summary>
/// Every fault knob tests use in-process, reachable from outside the process: as `--fault NAME[=VALUE]` flags of
/// the console entry (repeatable, applied at start) and through the control endpoint (POST /simulator/faults).
/// A spec is `NAME` or `NAME=VALUE`; `[NS/]` defaults to the first seeded namespace. Adding a knob is one entry here.
/// </summary>
public static class FaultKnobs
{
    public static IReadOnlyList<FaultKnob> All { get; } =
    [
        new("http-error", "STATUS[:COUNT[:METHOD[:PATH-PREFIX]]]", "answer the next COUNT (default 1) matching requests with STATUS (500, 503, 429 with Retry-After...); METHOD * is any",
            v => { var p = v.Parts(1, 4); var status = Int(v, p[0], 400, 599); var count = p.Length > 1 ? Int(v, p[1], 1, 1_000_000) : 1; var method = p.Length > 2 && p[2] != "*" ? p[2] : null; var path = p.Length > 3 ? p[3] : null; return c => c.HttpFaults.FailNext(count, status, method, path); }),
        new("http-error-rate", "RATE[:STATUS]", "answer this fraction (0..1) of all requests with STATUS (default 500), from a seeded random generator",
            v => { var p = v.Parts(1, 2); var rate = Rate(v, p[0]); var status = p.Length > 1 ? Int(v, p[1], 400, 599) : 500; return c => c.HttpFaults.FailRate(rate, status); }),
        new("conflict", "COUNT[:PATH-PREFIX]", "answer the next COUNT PATCH/PUT requests with 409 Conflict",
            v => { var p = v.Parts(1, 2); var count = Int(v, p[0], 1, 1_000_000); var path = p.Length > 1 ? p[1] : null; return c => c.HttpFaults.ConflictNext(count, path); }),
        new("latency", "DURATION", "delay every answer (250ms, 2s)",
            v => { var d = Duration(v, v.Parts(1, 1)[0]); return c => c.HttpFaults.Latency = d; }),
        new("upload-limit", "BYTES|off", "a proxy in front of the API server answers 413 Request Entity Too Large to a binary build upload over BYTES, as nginx's client_max_body_size does (OpenShift's API server itself takes any size)",
            v => { var p = v.Parts(1, 1)[0]; long? limit = p == "off" ? null : Int(v, p, 0, int.MaxValue); return c => c.HttpFaults.UploadLimit = limit; }),
        new("drop-watches", "EVENTS|off", "close every watch stream after EVENTS events (0: before the first)",
            v => { var p = v.Parts(1, 1)[0]; int? n = p == "off" ? null : Int(v, p, 0, 1_000_000); return c => c.HttpFaults.DropWatchesAfterEvents = n; }),
        new("expire-watch", "COUNT[:PATH-PREFIX]", "the next COUNT watches that ask for a resourceVersion are told it is too old (410), as when a compaction lands between a LIST and its WATCH",
            v => { var p = v.Parts(1, 2); var count = Int(v, p[0], 1, 1_000_000); var path = p.Length > 1 ? p[1] : null; return c => c.HttpFaults.ExpireNextWatches(count, path); }),
        new("restart-apiserver", string.Empty, "an API server restart that keeps the store: every open watch ends and the watch history is gone (older resourceVersions get 410)",
            _ => c => c.RestartWatchCache()),
        new("compact", string.Empty, "a store compaction: watches from any older resourceVersion get 410 Gone/Expired",
            _ => c => c.Registry.Store.Compact()),
        new("fail-import", "PULL-SPEC[,REASON]", "imports of PULL-SPEC fail with ImportSuccess=False (REASON Unauthorized by default, or NotFound)",
            v => { var p = v.Parts(1, 2, ','); return c => c.ControllerFaults.FailImport(p[0], p.Length > 1 ? p[1] : "Unauthorized"); }),
        new("clear-import", "PULL-SPEC", "imports of PULL-SPEC succeed again",
            v => { var spec = v.Parts(1, 1)[0]; return c => { c.ControllerFaults.ClearImportFailure(spec); c.ControllerFaults.NotifyChanged(); }; }),
        new("pin-digest", "PULL-SPEC,HEX64", "an import of PULL-SPEC yields sha256:HEX64 (a re-push of the same tag)",
            v => { var p = v.Parts(2, 2, ','); _ = p[1].Length == 64 && p[1].All(Uri.IsHexDigit) ? p[1] : throw v.Bad("the digest must be 64 hex digits"); return c => c.ControllerFaults.PinDigest(p[0], p[1]); }),
        new("stick-dc", "[NS/]DC[:ImagePullBackOff|CrashLoopBackOff]", "new pods of DC never get ready and wait with that reason; the rollout fails at the stuck deadline",
            v => { var p = v.Parts(1, 2); var (ns, dc) = Object(p[0]); var reason = p.Length > 1 ? p[1] : "ImagePullBackOff"; _ = reason is "ImagePullBackOff" or "CrashLoopBackOff" ? reason : throw v.Bad($"\"{reason}\" is not ImagePullBackOff or CrashLoopBackOff"); return c => c.ControllerFaults.StickDeploymentConfig(ns ?? c.DefaultNamespace, dc, reason); }),
        new("unstick-dc", "[NS/]DC", "new pods of DC get ready again",
            v => { var (ns, dc) = Object(v.Parts(1, 1)[0]); return c => { c.ControllerFaults.UnstickDeploymentConfig(ns ?? c.DefaultNamespace, dc); c.ControllerFaults.NotifyChanged(); }; }),
        new("slow-dc", "[NS/]DC:DURATION", "every deployer step of DC takes DURATION longer",
            v => { var p = v.Parts(2, 2); var (ns, dc) = Object(p[0]); var d = Duration(v, p[1]); return c => c.ControllerFaults.SlowDeploymentConfig(ns ?? c.DefaultNamespace, dc, d); }),
        new("fail-build", "[NS/]BUILDCONFIG[:Failed|Error|Cancelled[:REASON]]", "builds of BUILDCONFIG end in that phase (Failed, DockerBuildFailed by default)",
            v => { var p = v.Parts(1, 3); var (ns, bc) = Object(p[0]); var phase = p.Length > 1 ? p[1] : "Failed"; _ = phase is "Failed" or "Error" or "Cancelled" ? phase : throw v.Bad($"\"{phase}\" is not Failed, Error or Cancelled"); var reason = p.Length > 2 ? p[2] : "DockerBuildFailed"; return c => c.ControllerFaults.FailBuild(ns ?? c.DefaultNamespace, bc, phase, reason); }),
        new("clear-build", "[NS/]BUILDCONFIG", "builds of BUILDCONFIG complete again",
            v => { var (ns, bc) = Object(v.Parts(1, 1)[0]); return c => { c.ControllerFaults.ClearBuildFailure(ns ?? c.DefaultNamespace, bc); c.ControllerFaults.NotifyChanged(); }; }),
        new("fail-hook", "[NS/]DC[:EXIT-CODE]", "the pre lifecycle hook container of DC's rollouts exits with EXIT-CODE (default 1) and logs a rake failure, on every run (restarted under failurePolicy Retry) until cleared",
            v => { var p = v.Parts(1, 2); var (ns, dc) = Object(p[0]); var exit = p.Length > 1 ? Int(v, p[1], 1, 255) : 1; return c => c.ControllerFaults.FailHook(ns ?? c.DefaultNamespace, dc, exit); }),
        new("clear-hook", "[NS/]DC", "the pre hook of DC's rollouts succeeds again",
            v => { var (ns, dc) = Object(v.Parts(1, 1)[0]); return c => { c.ControllerFaults.ClearHookFailure(ns ?? c.DefaultNamespace, dc); c.ControllerFaults.NotifyChanged(); }; }),
        new("crash-controller", "NAME[:TIMES]", $"the controller NAME ({string.Join(", ", ControllerManager.ControllerNames)}) throws on its next TIMES passes (default 1); it is logged and restarted",
            v => { var p = v.Parts(1, 2); _ = ControllerManager.ControllerNames.Contains(p[0]) ? p[0] : throw v.Bad($"no controller \"{p[0]}\""); var times = p.Length > 1 ? Int(v, p[1], 1, 1_000_000) : 1; return c => c.ControllerFaults.CrashController(p[0], times); }),
        new("kill-controllers", string.Empty, "the controller loop dies: from then on every API request is a 500 that says so",
            _ => c => c.ControllerFaults.KillControllerLoop()),
        new("reset", string.Empty, "every HTTP and controller fault back to normal (a dead controller loop stays dead)",
            _ => c => { c.HttpFaults.Reset(); c.ControllerFaults.ClearAll(); }),
    ];

    /// <summary>Parses `NAME[=VALUE]` into what to do to a running cluster; throws ArgumentException naming the problem.</summary>
    public static Action<SimulatedCluster> Parse(string spec)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? spec : spec[..equals];
        var knob = All.FirstOrDefault(k => k.Name == name)
            ?? throw new ArgumentException($"unknown fault \"{name}\" (known: {string.Join(", ", All.Select(k => k.Name))})");
        if (knob.Usage.Length == 0 && equals >= 0)
        {
            throw new ArgumentException($"fault {name} takes no value");
        }

        return knob.Parse(new FaultValue(knob, equals < 0 ? null : spec[(equals + 1)..]));
    }
}
