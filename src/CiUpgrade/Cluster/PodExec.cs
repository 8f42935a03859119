using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;

namespace CiUpgrade.Cluster;

/// <summary>
/// Runs a command in a pod's container as `oc exec` does: KubernetesClient opens the WebSocket (GET
/// …/pods/{pod}/exec?command=…, subprotocol v4.channel.k8s.io) and this reads the channels itself, one message at a
/// time: stdout (channel 1) goes to the caller's sink before the next message is read, so a dump of any size
/// streams through a bounded buffer and TCP flow control holds the server back when the sink is slow
/// (KubernetesClient's StreamDemuxer would instead queue everything that arrives in a buffer that grows to 40 MB,
/// then throws). Stderr (channel 2) keeps its last 4 KB; channel 3 carries the exit status as a metav1.Status
/// (k8s.io/apimachinery remotecommand: NonZeroExitCode with the code in an ExitCode cause).
/// </summary>
public sealed partial class PodExec(Kubernetes kube, string ns)
{
    private const int BufferSize = 64 * 1024;
    private const int StderrTail = 4096;

    /// <param name="stdin">
    /// Writes the command's stdin through the function it is given (channel 0, a message per chunk; each send waits
    /// until the connection took it, so a slow pod holds the writer back); null: no stdin. The v4 protocol cannot close
    /// stdin (kubernetes/kubernetes#89899): the command must know how much to read (`head -c N`). Runs beside the reading
    /// of stdout; when the command ends first, the writer is cancelled.
    /// </param>
    public async Task<ExecResult> RunAsync(string pod, string container, IReadOnlyList<string> command,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> stdout, CancellationToken ct,
        Func<Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>, CancellationToken, Task>? stdin = null)
    {
        WebSocket socket;
        try
        {
            // (name, namespace, command, container, stderr, stdin, stdout, tty, subprotocol, headers)
            socket = await kube.WebSocketNamespacedPodExecAsync(pod, ns, command, container, true, stdin is not null, true, false,
                WebSocketProtocol.V4BinaryWebsocketProtocol, null, ct);
        }
        catch (HttpOperationException e)
        {
            return Refused(pod, (int)e.Response.StatusCode, Message(e.Response.Content));
        }
        catch (WebSocketException e) when (e.WebSocketErrorCode == WebSocketError.NotAWebSocket && StatusCode().Match(e.Message) is { Success: true } m)
        {
            // .NET's ClientWebSocket reports a refused upgrade as "The server returned status code '403' when status
            // code '101' was expected", without the body.
            return Refused(pod, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), e.Message);
        }

        using (socket)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            var stderr = new StringBuilder();
            using var status = new MemoryStream();
            using var writing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sending = stdin is null ? Task.CompletedTask : SendStdinAsync(socket, stdin, writing.Token);
            try
            {
                var channel = -1;
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer.AsMemory(0, BufferSize), ct);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        if (socket.State == WebSocketState.CloseReceived)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, ct);
                        }

                        break;
                    }

                    var data = buffer.AsMemory(0, received.Count);
                    if (channel < 0 && data.Length > 0)
                    {
                        channel = data.Span[0];
                        data = data[1..];
                    }

                    switch (channel)
                    {
                        case 1:
                            await stdout(data, ct);
                            break;
                        case 2:
                            stderr.Append(Encoding.UTF8.GetString(data.Span));
                            if (stderr.Length > StderrTail)
                            {
                                stderr.Remove(0, stderr.Length - StderrTail);
                            }

                            break;
                        case 3 when status.Length < BufferSize:
                            status.Write(data.Span);
                            break;
                    }

                    if (received.EndOfMessage)
                    {
                        channel = -1;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                await writing.CancelAsync();
                try
                {
                    await sending;
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException && status.Length > 0)
                {
                    // The command ended before it read all of stdin (it failed): its status says why.
                }
            }

            return Result(status.ToArray(), stderr.ToString().Trim());
        }
    }

    /// <summary>Runs the stdin writer, each chunk sent as one channel-0 message; a writer that fails aborts the exec.</summary>
    private static async Task SendStdinAsync(WebSocket socket, Func<Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>, CancellationToken, Task> stdin, CancellationToken ct)
    {
        var message = ArrayPool<byte>.Shared.Rent(BufferSize + 1);
        try
        {
            message[0] = 0;
            await stdin(async (data, c) =>
            {
                while (data.Length > 0)
                {
                    var n = Math.Min(BufferSize, data.Length);
                    data.Span[..n].CopyTo(message.AsSpan(1));
                    await socket.SendAsync(message.AsMemory(0, n + 1), WebSocketMessageType.Binary, true, c);
                    data = data[n..];
                }
            }, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not WebSocketException)
        {
            // Reading the data failed: end the exec rather than leave the command waiting for bytes that will never
            // come; the caller sees why. (A WebSocketException is the command having ended first: its status says why.)
            socket.Abort();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    private ExecResult Refused(string pod, int code, string message) => code == (int)HttpStatusCode.Forbidden
        ? throw new UpgradeException(ExitCode.ClusterUnreachable,
            $"permission denied: cannot exec in pod {pod} — grant \"create\" and \"get\" on \"pods/exec\" in namespace {ns} (see tekton/rbac), or run backup without --databases")
        : new ExecResult(-1, $"the API server refused the exec ({code}): {message}", string.Empty);

    [System.Text.RegularExpressions.GeneratedRegex("status code '([0-9]{3})'")]
    private static partial System.Text.RegularExpressions.Regex StatusCode();

    private static ExecResult Result(byte[] status, string stderr)
    {
        if (status.Length == 0)
        {
            return new ExecResult(-1, "the exec stream ended without an exit status", stderr);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(status);
        }
        catch (JsonException)
        {
            return new ExecResult(-1, Encoding.UTF8.GetString(status), stderr);
        }

        var text = Text(node?["status"]);
        if (text == "Success")
        {
            return new ExecResult(0, null, stderr);
        }

        var code = (node?["details"]?["causes"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(c => Text(c["reason"]) == "ExitCode").Select(c => int.TryParse(Text(c["message"]), out var n) ? n : (int?)null).FirstOrDefault();
        return new ExecResult(code ?? -1, Text(node?["message"]), stderr);
    }

    private static string Message(string? content)
    {
        try
        {
            return Text(JsonNode.Parse(content ?? string.Empty)?["message"]) ?? content ?? string.Empty;
        }
        catch (JsonException)
        {
            return content ?? string.Empty;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
