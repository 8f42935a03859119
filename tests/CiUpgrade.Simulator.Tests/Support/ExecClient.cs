using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Tests.Support;

/// <summary>
/// pods/exec as a client speaks it (v4.channel.k8s.io, the protocol KubernetesClient uses; v5 when asked): stdin sent
/// in channel 0 messages, stdout and stderr collected, the exit status read from channel 3.
/// </summary>
internal static class ExecClient
{
    public sealed record Result(byte[] Stdout, string Stderr, JsonNode? Status)
    {
        public string Text => Encoding.UTF8.GetString(Stdout);

        public bool Succeeded => (string?)Status?["status"] == "Success";
    }

    public static async Task<Result> RunAsync(SimulatedCluster cluster, string ns, string pod, string container, IReadOnlyList<string> command,
        Stream? stdin = null, string protocol = "v4.channel.k8s.io", CancellationToken ct = default)
    {
        var ca = X509Certificate2.CreateFromPem(cluster.CertificateAuthorityPem);
        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == ca.GetCertHashString();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + cluster.AdminToken);
        socket.Options.AddSubProtocol(protocol);
        var query = string.Join("&", command.Select(c => "command=" + Uri.EscapeDataString(c)))
            + $"&container={Uri.EscapeDataString(container)}&stdout=true&stderr=true{(stdin is null ? string.Empty : "&stdin=true")}";
        var uri = new Uri(cluster.BaseUri.ToString().Replace("https://", "wss://", StringComparison.Ordinal) + $"api/v1/namespaces/{ns}/pods/{pod}/exec?{query}");
        await socket.ConnectAsync(uri, ct);
        var sending = stdin is null ? Task.CompletedTask : SendAsync(socket, stdin, protocol == "v5.channel.k8s.io", ct);
        using var stdout = new MemoryStream();
        var stderr = new StringBuilder();
        using var status = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var channel = -1;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, ct);
                break;
            }

            var data = buffer.AsMemory(0, received.Count);
            if (channel < 0 && data.Length > 0)
            {
                channel = data.Span[0];
                data = data[1..];
            }

            (channel switch { 1 => stdout, 3 => status, _ => null })?.Write(data.Span);
            if (channel == 2)
            {
                stderr.Append(Encoding.UTF8.GetString(data.Span));
            }

            if (received.EndOfMessage)
            {
                channel = -1;
            }
        }

        await sending;
        return new Result(stdout.ToArray(), stderr.ToString(), status.Length == 0 ? null : JsonNode.Parse(status.ToArray()));
    }

    private static async Task SendAsync(WebSocket socket, Stream stdin, bool v5, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024 + 1];
        buffer[0] = 0;
        try
        {
            int n;
            while ((n = await stdin.ReadAsync(buffer.AsMemory(1), ct)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, n + 1), WebSocketMessageType.Binary, true, ct);
            }

            if (v5)
            {
                await socket.SendAsync(new byte[] { 255, 0 }, WebSocketMessageType.Binary, true, ct);
            }
        }
        catch (WebSocketException)
        {
            // The process ended without reading all of stdin; its status says why.
        }
    }
}
