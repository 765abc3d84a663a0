using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Famiglia.Harness;

/// <summary>
/// The guest end of aegisd's control channel (docs/control-channel.md): answers <c>health</c> with what the harness
/// knows and turns <c>shutdown</c> into a graceful stop. Reconnects when the socket drops; without a socket (not
/// under aegisd) it does nothing.
/// </summary>
internal sealed partial class ControlChannelClient(
    HarnessSettings settings,
    HarnessHealth health,
    IHostApplicationLifetime lifetime,
    ShutdownGrace grace,
    ILogger<ControlChannelClient> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!File.Exists(settings.ControlSocket))
        {
            NoControlChannel(logger, settings.ControlSocket);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(settings.ControlSocket), stoppingToken);
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                await SendAsync(stream, new JsonObject { ["type"] = "log", ["level"] = "info", ["message"] = "famiglia-harness connected" }, stoppingToken);
                while (await reader.ReadLineAsync(stoppingToken) is { } line)
                {
                    JsonObject? message;
                    try
                    {
                        message = JsonNode.Parse(line) as JsonObject;
                    }
                    catch (JsonException)
                    {
                        continue;
                    }

                    switch (message?["type"]?.GetValue<string>())
                    {
                        case "health":
                            var (ok, detail) = health.Check();
                            await SendAsync(stream, new JsonObject { ["type"] = "health", ["ok"] = ok, ["detail"] = detail }, stoppingToken);
                            break;
                        case "shutdown":
                            var seconds = message["graceSeconds"] is JsonValue g && g.TryGetValue<double>(out var s) ? s : 5;
                            grace.Value = TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 300));
                            ShutdownRequested(logger, seconds);
                            lifetime.StopApplication();
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                ControlChannelDropped(logger, ex.Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task SendAsync(Stream stream, JsonObject message, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(message.ToJsonString() + "\n"), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "no control channel at {Path}: not running under aegisd")]
    private static partial void NoControlChannel(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "aegisd asks to shut down within {Seconds} s")]
    private static partial void ShutdownRequested(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "control channel dropped ({Error}); reconnecting")]
    private static partial void ControlChannelDropped(ILogger logger, string error);
}

/// <summary>How long the graceful stop may take: aegisd's <c>graceSeconds</c>, else 5 s.</summary>
internal sealed class ShutdownGrace
{
    public TimeSpan Value { get; set; } = TimeSpan.FromSeconds(5);
}
