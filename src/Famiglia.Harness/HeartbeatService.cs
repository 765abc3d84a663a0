using System.Net;
using System.Text.Json.Nodes;

namespace Famiglia.Harness;

/// <summary>Tells famiglia-web the agent is alive: <c>POST /api/agent-runtime/heartbeat</c> with the agent's key,
/// right after joining and then every <see cref="HarnessSettings.HeartbeatInterval"/>.</summary>
internal sealed partial class HeartbeatService(
    HarnessSettings settings,
    RoomLink room,
    AgentSupervisor agent,
    HarnessHealth health,
    DataApiClient api,
    CanvasStore canvas,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    public const string Path = "/api/agent-runtime/heartbeat";
    public const string CanvasVersionPath = "/api/agent-runtime/canvas-version";

    /// <summary>Tells famiglia-web about a canvas version bump, so the tabs showing the canvas reload it. Best effort:
    /// browsers that miss it still see the new version on their next load.</summary>
    private async Task ReportVersionAsync(long version, CancellationToken cancellationToken)
    {
        try
        {
            var status = await api.PostJsonAsync(CanvasVersionPath, new JsonObject { ["version"] = version }, cancellationToken);
            if (status != HttpStatusCode.NoContent)
            {
                HeartbeatRefused(logger, (int)status);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            HeartbeatFailed(logger, ex.Message);
        }
    }

    /// <summary>Heartbeats famiglia-web accepted.</summary>
    public int Sent { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var bumps = canvas.Subscribe(version => _ = ReportVersionAsync(version, stoppingToken));
        await room.Joined.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        HttpStatusCode? lastStatus = null;
        using var timer = new PeriodicTimer(settings.HeartbeatInterval, time);
        while (true)
        {
            var (ok, detail) = health.Check();
            var body = new JsonObject
            {
                ["ok"] = ok,
                ["detail"] = detail,
                ["joined"] = room.IsJoined,
                ["agentReady"] = agent.IsReady,
                ["restarts"] = agent.Restarts,
                ["instanceId"] = Environment.GetEnvironmentVariable("AEGIS_INSTANCE_ID"),
            };
            try
            {
                var status = await api.PostJsonAsync(Path, body, stoppingToken);
                if (status == HttpStatusCode.NoContent || status == HttpStatusCode.OK)
                {
                    Sent++;
                }
                else if (status != lastStatus)
                {
                    HeartbeatRefused(logger, (int)status);
                }

                lastStatus = status;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                HeartbeatFailed(logger, ex.Message);
            }

            try
            {
                if (!await timer.WaitForNextTickAsync(stoppingToken))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "famiglia-web refused the heartbeat with status {Status}")]
    private static partial void HeartbeatRefused(ILogger logger, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "heartbeat failed: {Error}")]
    private static partial void HeartbeatFailed(ILogger logger, string error);
}
