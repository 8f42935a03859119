using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.IO.Pipelines;
using CiUpgrade.Simulator.Containers;
using CiUpgrade.Simulator.Json;
using CiUpgrade.Simulator.Registry;
using Microsoft.AspNetCore.Http;

namespace CiUpgrade.Simulator.Api;

/// <summary>
/// pods/exec over WebSocket, as the API server proxies it to the kubelet (k8s.io/apiserver wsstream and the
/// kubelet's cri/streaming/remotecommand): the command comes as repeated `command` query parameters, the
/// client picks the channel protocol — `v5.channel.k8s.io` (kubectl ≥ 1.30) or `v4.channel.k8s.io`
/// (KubernetesClient) — and every binary message starts with its channel byte: 1 stdout, 2 stderr, 3 the exit
/// status as a metav1.Status (Success, or Failure with reason NonZeroExitCode and the code in an ExitCode cause).
/// A request that is not a WebSocket upgrade gets 400 "Upgrade request required" (SPDY is not served).
/// Stdin (channel 0) reaches the process through a bounded pipe; what the "container" runs is
/// <see cref="ContainerShell"/>'s (the dumps and restores of the data sets the pod holds, echo, else "command not
/// found"). A client that goes away kills the process where it was.
/// </summary>
internal static class PodExecHandler
{
    private const int ChunkSize = 32 * 1024;
    private static readonly string[] Protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    public static async Task HandleAsync(HttpContext ctx, ResourceRegistry registry, ContainerShell shell, string ns, string podName)
    {
        var pod = registry.Get("pods", ns, podName)
            ?? throw new ApiError(404, "NotFound", $"pods \"{podName}\" not found", ApiError.DetailsFor(podName, string.Empty, "pods"));
        var command = ctx.Request.Query["command"].Select(c => c ?? string.Empty).ToList();
        if (command.Count == 0)
        {
            throw new ApiError(400, "BadRequest", "you must specify at least 1 command");
        }

        var containers = pod["spec"]?["containers"].Objects().ToList() ?? [];
        var containerName = ctx.Request.Query["container"].ToString();
        var container = containerName.Length == 0 && containers.Count == 1 ? containers[0] : containers.FirstOrDefault(c => c.Str("name") == containerName);
        if (container is null)
        {
            throw new ApiError(400, "BadRequest", containerName.Length == 0
                ? $"a container name must be specified for pod {podName}, choose one of: [{string.Join(" ", containers.Select(c => c.Str("name")))}]"
                : $"container {containerName} is not valid for pod {podName}");
        }

        if (pod["status"].Str("phase") != "Running")
        {
            throw new ApiError(400, "BadRequest", $"unable to upgrade connection: container not found (\"{container.Str("name")}\")");
        }

        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            throw new ApiError(400, "BadRequest", "Upgrade request required");
        }

        var offered = ctx.WebSockets.WebSocketRequestedProtocols;
        var protocol = Protocols.FirstOrDefault(offered.Contains)
            ?? throw new ApiError(400, "BadRequest", $"unable to upgrade: unsupported protocols {string.Join(",", offered)}: use one of {string.Join(", ", Protocols)}");
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync(protocol);
        var ct = ctx.RequestAborted;
        var process = shell.Start(command, pod, container);
        // stdin (channel 0) into a bounded pipe: a sender faster than the process is held back by TCP, as a kubelet would.
        var stdin = new Pipe(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
        var receiving = ReceiveStdinAsync(socket, stdin.Writer, protocol == Protocols[0], ct);
        var io = new ExecIo(stdin.Reader.AsStream(), (data, c) => SendChunkedAsync(socket, data, c));
        ExecOutcome? outcome = null;
        try
        {
            outcome = await process(io, ct);
        }
        catch (Exception e) when (e is StdinAbortedException or WebSocketException or OperationCanceledException)
        {
            // The client went away: the process is killed where it was, and there is nobody to tell its status.
        }

        await stdin.Reader.CompleteAsync();
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        closing.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            if (outcome is not null && socket.State == WebSocketState.Open)
            {
                if (outcome.Stderr.Length > 0)
                {
                    await SendAsync(socket, 2, Encoding.UTF8.GetBytes(outcome.Stderr + "\n"), ct);
                }

                await SendAsync(socket, 3, Encoding.UTF8.GetBytes(Status(outcome.ExitCode, command).ToJsonString(RequestHandler.Wire)), ct);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, closing.Token);
            }

            await receiving.WaitAsync(closing.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client went away without answering the close: the exec is over either way.
        }
    }

    /// <summary>
    /// Reads the client's messages until its close: stdin data into the pipe; v5's close signal (channel 255, stream 0)
    /// ends stdin (KEP-4006); a connection that ends first kills the process (<see cref="StdinAbortedException"/>).
    /// After the process ended, whatever still comes is read and dropped.
    /// </summary>
    private static async Task ReceiveStdinAsync(WebSocket socket, PipeWriter stdin, bool v5, CancellationToken ct)
    {
        var buffer = new byte[ChunkSize + 1];
        var channel = -1;
        var open = true;
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, ct);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var data = buffer.AsMemory(0, received.Count);
                if (channel < 0 && data.Length > 0)
                {
                    channel = data.Span[0];
                    data = data[1..];
                }

                if (open && channel == 255 && v5 && data.Length > 0 && data.Span[0] == 0)
                {
                    await stdin.CompleteAsync();
                    open = false;
                }
                else if (open && channel == 0 && data.Length > 0)
                {
                    var flushed = await stdin.WriteAsync(data, ct);
                    open = !flushed.IsCompleted;
                }

                if (received.EndOfMessage)
                {
                    channel = -1;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        if (open)
        {
            await stdin.CompleteAsync(new StdinAbortedException());
        }
    }

    private static async Task SendChunkedAsync(WebSocket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var message = new byte[Math.Min(ChunkSize, data.Length) + 1];
        message[0] = 1;
        while (data.Length > 0)
        {
            var n = Math.Min(ChunkSize, data.Length);
            data.Span[..n].CopyTo(message.AsSpan(1));
            await socket.SendAsync(message.AsMemory(0, n + 1), WebSocketMessageType.Binary, true, ct);
            data = data[n..];
        }
    }

    /// <summary>Success, or the kubelet's NonZeroExitCode failure (cri/streaming/remotecommand/exec.go).</summary>
    private static JsonObject Status(int exitCode, IReadOnlyList<string> command) => exitCode == 0
        ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
        : new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", command)}], exit code {exitCode}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }) },
        };

    private static async Task SendAsync(WebSocket socket, byte channel, byte[] data, CancellationToken ct)
    {
        var message = new byte[data.Length + 1];
        message[0] = channel;
        data.CopyTo(message, 1);
        await socket.SendAsync(message, WebSocketMessageType.Binary, true, ct);
    }
}
