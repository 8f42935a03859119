using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CiUpgrade.Simulator.Controllers;
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
/// The "container" answers the database dump commands ciupgrade's backup sends (mysqldump, pg_dump, cat of the
/// redis dump.rdb) with deterministic content of the size <see cref="DatabaseDumps"/> sets, generated as it is
/// sent; a `$VAR` the command reads must be in the container's env (else the tool fails as it would with no
/// password); `echo` prints its arguments; anything else is "command not found" (exit 127).
/// </summary>
internal static partial class PodExecHandler
{
    private const int ChunkSize = 32 * 1024;
    private static readonly string[] Protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    public static async Task HandleAsync(HttpContext ctx, ResourceRegistry registry, DatabaseDumps dumps, string ns, string podName)
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
        var run = Interpret(command, container, pod.Label("deploymentconfig") ?? string.Empty, ns, dumps);
        var buffer = new byte[ChunkSize + 1];
        long sent = 0;
        while (run.Remaining(sent) > 0)
        {
            var count = (int)Math.Min(ChunkSize, run.Remaining(sent));
            run.Fill(buffer.AsSpan(1, count), sent);
            buffer[0] = 1;
            await socket.SendAsync(buffer.AsMemory(0, count + 1), WebSocketMessageType.Binary, true, ct);
            sent += count;
        }

        if (run.Stderr.Length > 0)
        {
            await SendAsync(socket, 2, Encoding.UTF8.GetBytes(run.Stderr + "\n"), ct);
        }

        await SendAsync(socket, 3, Encoding.UTF8.GetBytes(Status(run.ExitCode, command).ToJsonString(RequestHandler.Wire)), ct);
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        closing.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty, closing.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client went away without answering the close: the exec is over either way.
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

    private static ExecRun Interpret(IReadOnlyList<string> command, JsonObject container, string dc, string ns, DatabaseDumps dumps)
    {
        var line = string.Join(" ", command);
        var env = container["env"].Objects().Select(e => e.Str("name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var (tool, header) = line switch
        {
            _ when line.Contains("mysqldump", StringComparison.Ordinal) => ("mysqldump", "-- MySQL dump 10.13  Distrib 5.7.24, for Linux (x86_64)\n--\n"),
            _ when line.Contains("pg_dump", StringComparison.Ordinal) => ("pg_dump", "--\n-- PostgreSQL database dump\n--\n"),
            _ when line.Contains("dump.rdb", StringComparison.Ordinal) => ("redis", "REDIS0007"),
            _ => (null, null),
        };
        if (tool is null)
        {
            var words = command.Count >= 3 && command[0] is "sh" or "bash" && command[1] == "-c" ? command[2].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [.. command];
            return words.FirstOrDefault() == "echo"
                ? ExecRun.Text(string.Join(" ", words.Skip(1)) + "\n")
                : new ExecRun(0, (_, _) => { }, $"sh: {words.FirstOrDefault()}: command not found", 127);
        }

        var missing = EnvReference().Matches(line).Select(m => m.Groups[1].Value).FirstOrDefault(v => !env.Contains(v));
        if (missing is not null)
        {
            return new ExecRun(0, (_, _) => { }, tool switch
            {
                "mysqldump" => "mysqldump: Got error: 1045: Access denied for user 'root'@'localhost' (using password: NO) when trying to connect",
                "pg_dump" => $"pg_dump: error: connection to server failed: FATAL:  database \"\" does not exist",
                _ => $"sh: {missing}: parameter not set",
            }, 2);
        }

        var size = dumps.SizeFor(ns, dc);
        var failure = dumps.FailureFor(ns, dc);
        var content = new DumpContent(Encoding.ASCII.GetBytes(header!), dc);
        return failure is null
            ? new ExecRun(size, content.Fill, string.Empty, 0)
            : new ExecRun(Math.Min(size, failure.AfterBytes), content.Fill, failure.Stderr, failure.ExitCode);
    }

    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex EnvReference();

    /// <summary>What the command writes to stdout (<see cref="Length"/> bytes, produced on demand), its stderr and exit code.</summary>
    private sealed record ExecRun(long Length, Action<Span<byte>, long> Fill, string Stderr, int ExitCode)
    {
        public long Remaining(long sent) => Length - sent;

        public static ExecRun Text(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return new ExecRun(bytes.Length, (span, offset) => bytes.AsSpan((int)offset, span.Length).CopyTo(span), string.Empty, 0);
        }
    }

    /// <summary>
    /// A dump's bytes as a function of their offset: the tool's header, then numbered rows of fixed width, so any
    /// part can be produced without the rest and the whole is the same on every run.
    /// </summary>
    private sealed class DumpContent(byte[] header, string dc)
    {
        private const int RowWidth = 96;

        public void Fill(Span<byte> span, long offset)
        {
            Span<byte> row = stackalloc byte[RowWidth];
            var written = 0;
            while (written < span.Length)
            {
                var at = offset + written;
                if (at < header.Length)
                {
                    var n = Math.Min(header.Length - (int)at, span.Length - written);
                    header.AsSpan((int)at, n).CopyTo(span[written..]);
                    written += n;
                    continue;
                }

                var index = (at - header.Length) / RowWidth;
                var column = (int)((at - header.Length) % RowWidth);
                Row(index, row);
                var take = Math.Min(RowWidth - column, span.Length - written);
                row.Slice(column, take).CopyTo(span[written..]);
                written += take;
            }
        }

        private void Row(long index, Span<byte> row)
        {
            row.Fill((byte)' ');
            row[^1] = (byte)'\n';
            System.Text.Unicode.Utf8.TryWrite(row[..^1], System.Globalization.CultureInfo.InvariantCulture,
                $"INSERT INTO `rows` VALUES ({index},'{dc}-{index * 2654435761 % 4294967296:x8}');", out _);
        }
    }
}
