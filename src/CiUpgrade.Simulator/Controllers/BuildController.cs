using System.Globalization;
using System.Text.Json.Nodes;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using CiUpgrade.Simulator.Registry.Strategies;

namespace CiUpgrade.Simulator.Controllers;

/// <summary>
/// The build controller and the builder pod in one (openshift-controller-manager pkg/build/controller/build):
/// a Build moves New → Pending → Running, one step per <see cref="ControllerTiming.ImportDelay"/>; a binary build
/// stays Running until its input was uploaded (a build marked status.cancelled, as the API server does when the
/// upload breaks off, ends Cancelled); then it ends Complete, pushing a new image to its output
/// ImageStreamTag (a tag event with the internal registry's repo@sha256:digest, which the image trigger then
/// rolls out), or in the phase a fault knob names, with that reason and message.
/// </summary>
internal sealed class BuildController(ResourceRegistry registry, ControllerTiming timing, ControllerFaults faults, BinaryUploads uploads) : IController
{
    private readonly Dictionary<string, DateTimeOffset> _since = new(StringComparer.Ordinal);

    public PassResult Reconcile(DateTimeOffset now, string? ns)
    {
        var result = default(PassResult);
        foreach (var build in registry.Store.List("builds", ns).Items)
        {
            var phase = build["status"].Str("phase") ?? "New";
            if (phase is not ("New" or "Pending" or "Running"))
            {
                continue;
            }

            if (build["status"]?["cancelled"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)
            {
                // openshift-controller-manager pkg/build/controller/build/build_controller.go, cancelBuild: the pod is
                // deleted and the build ends Cancelled (StatusReasonCancelledBuild, StatusMessageCancelledBuild).
                SetStatus(build, status =>
                {
                    status["phase"] = "Cancelled";
                    status["reason"] = "CancelledBuild";
                    status["message"] = "The build was cancelled by the user.";
                    status["completionTimestamp"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                });
                result |= new PassResult(true, false);
                continue;
            }

            var key = $"{build.Namespace()}/{build.Name()}/{phase}";
            var since = _since.TryGetValue(key, out var t) ? t : _since[key] = now;
            var waitingForInput = phase == "Running" && uploads.FilesOf(build.Namespace(), build.Name()) is null;
            if (now - since < timing.ImportDelay || waitingForInput)
            {
                result |= new PassResult(false, true);
                continue;
            }

            _since.Remove(key);
            Advance(build, phase, now);
            result |= new PassResult(true, false);
        }

        return result;
    }

    private void Advance(JsonObject build, string phase, DateTimeOffset now)
    {
        var ns = build.Namespace();
        var stamp = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (phase != "Running")
        {
            SetStatus(build, status =>
            {
                status["phase"] = phase == "New" ? "Pending" : "Running";
                if (phase == "Pending")
                {
                    status["startTimestamp"] = stamp;
                }
            });
            return;
        }

        var config = build.Label(BuildGenerator.BuildConfigLabel) ?? string.Empty;
        var files = uploads.FilesOf(ns, build.Name()) ?? [];
        var failure = faults.BuildFailureFor(ns, config)
            ?? (files.Count == 0 ? new BuildFailure("Failed", "FetchSourceFailed", "Failed to fetch the input source.") : null);
        if (failure is not null)
        {
            SetStatus(build, status =>
            {
                status["phase"] = failure.Phase;
                status["reason"] = failure.Reason;
                status["message"] = failure.Message;
                status["completionTimestamp"] = stamp;
            });
            return;
        }

        var digest = Push(build, now);
        SetStatus(build, status =>
        {
            status["phase"] = "Complete";
            status["completionTimestamp"] = stamp;
            status["output"] = new JsonObject { ["to"] = new JsonObject { ["imageDigest"] = $"sha256:{digest}" } };
        });
    }

    /// <summary>The registry accepting the pushed image: a tag event on the output stream (status only, as a push does).</summary>
    private string Push(JsonObject build, DateTimeOffset now)
    {
        var ns = build.Namespace();
        var to = build["spec"]?["output"]?["to"];
        var target = to.Str("name") ?? string.Empty;
        var colon = target.IndexOf(':', StringComparison.Ordinal);
        var (stream, tag) = colon < 0 ? (target, "latest") : (target[..colon], target[(colon + 1)..]);
        var baseImage = build["spec"]?["strategy"]?["dockerStrategy"]?["from"].Str("name") ?? string.Empty;
        var digest = ImageDigests.For($"{ns}/{build.Name()}/{baseImage}");
        registry.Store.Mutate("imagestreams", to.Str("namespace") is { Length: > 0 } n ? n : ns, stream, s =>
        {
            ImageStreamTags.AddTagEvent(s, tag, new JsonObject
            {
                ["created"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["dockerImageReference"] = $"{ImageStreamStrategy.InternalRegistry}/{s.Namespace()}/{stream}@sha256:{digest}",
                ["image"] = $"sha256:{digest}",
                ["generation"] = s.Meta().Long("generation"),
            });
            ImageStreamTags.FollowTrackedTags(s);
            return true;
        });
        return digest;
    }

    private void SetStatus(JsonObject build, Action<JsonObject> change) =>
        registry.Store.Mutate("builds", build.Namespace(), build.Name(), b =>
        {
            change(b.Obj("status"));
            return true;
        });
}
