using Famiglia.Web.Chat;
using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Agents;

/// <summary>
/// Follows aegisd's event stream and keeps every agent's status (STARTING, RUNNING, PAUSED, STOPPED, ERROR) and
/// current instance in step with its app's instances, pushing each change to the browsers in the agent's room.
/// Reconnects from the last event it saw, so no change is missed while aegisd restarts.
/// </summary>
internal sealed partial class AegisEventsListener(
    AegisClient aegis,
    IDbContextFactory<FamigliaDbContext> db,
    ChatNotifier notifier,
    AgentWaker waker,
    IOptions<AegisOptions> options,
    TimeProvider time,
    ILogger<AegisEventsListener> logger) : BackgroundService
{
    private long _lastEventId;

    /// <summary>Events applied since start (for tests and diagnostics).</summary>
    public long Applied { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(500);
        var reported = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in aegis.EventsAsync(_lastEventId, stoppingToken))
                {
                    if (reported)
                    {
                        Reconnected(logger);
                        reported = false;
                    }

                    delay = TimeSpan.FromMilliseconds(500);
                    try
                    {
                        await ApplyAsync(e, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // One event that cannot be applied (e.g. its agent was deleted meanwhile) must not stop the
                        // listener, nor, as an unhandled exception in a background service, famiglia-web itself.
                        ApplyFailed(logger, e.Type, e.AppId ?? "", ex);
                    }

                    _lastEventId = e.Id;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is AegisException or HttpRequestException or IOException or System.Text.Json.JsonException
                                           or OperationCanceledException) // a timeout: an unhandled one would stop famiglia-web
            {
                if (!reported)
                {
                    Unreachable(logger, ex.Message);
                    reported = true;
                }
            }

            await Task.Delay(delay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delay = TimeSpan.FromMilliseconds(Math.Min(10_000, delay.TotalMilliseconds * 2));
        }
    }

    private async Task ApplyAsync(AegisEvent e, CancellationToken cancellationToken)
    {
        if (e.AppId is null || AgentStatuses.FromEvent(e.Type) is not { } status)
        {
            return;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var agent = await context.AgentConfigs.AsNoTracking().Include(a => a.Document).SingleOrDefaultAsync(a => a.AegisAppId == e.AppId, cancellationToken);
        if (agent is null || !await WriteAsync(context, agent.Id, status, e.InstanceId, time.GetUtcNow().UtcDateTime, cancellationToken))
        {
            return;
        }

        Applied++;
        if (agent.Status != status)
        {
            StatusChanged(logger, agent.Name, status, e.Message ?? "");
            await notifier.AgentStatusAsync(agent.Document!.RoomId, agent.Id, status, cancellationToken);
            if (status is AgentStatus.PAUSED or AgentStatus.STOPPED)
            {
                // Written only while the person keeps it running: aegisd's idle timers put it to sleep.
                waker.FellAsleep(agent.Id, agent.Name);
            }
        }
    }

    /// <summary>
    /// Writes an instance's state onto its agent, unless (checked by the database in the write itself, so that a Stop or a
    /// newer instance committed after the agent was read wins):
    /// <list type="bullet">
    /// <item>the person stopped the agent: aegisd may still report its instances' starts and ends (a start after its
    /// terminate was asked for, an error as the terminate kills it), and the app is no longer served, so nothing of ours
    /// wakes it again. A stopped agent stays STOPPED until someone starts it;</item>
    /// <item>an instance ends that is not the agent's current one: an old instance ending after a new one started says
    /// nothing about the agent.</item>
    /// </list>
    /// False when nothing was written (also for an agent deleted meanwhile).
    /// </summary>
    internal static async Task<bool> WriteAsync(FamigliaDbContext context, string agentId, AgentStatus status, string? instanceId, DateTime now, CancellationToken cancellationToken)
    {
        var ended = status is AgentStatus.STOPPED or AgentStatus.ERROR;
        var row = context.AgentConfigs.Where(a => a.Id == agentId).Where(AgentLifecycle.WantsRunningInDatabase);
        if (ended)
        {
            row = row.Where(a => a.AegisInstanceId == null || a.AegisInstanceId == instanceId);
        }

        var current = ended ? null : instanceId;
        return await row.ExecuteUpdateAsync(set => set
            .SetProperty(a => a.Status, status)
            .SetProperty(a => a.AegisInstanceId, current)
            .SetProperty(a => a.UpdatedAt, now), cancellationToken) > 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Agent} is now {Status} {Reason}")]
    private static partial void StatusChanged(ILogger logger, string agent, AgentStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "aegisd's event stream is unavailable ({Error}); retrying")]
    private static partial void Unreachable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not apply aegisd's {Type} event for app {AppId}")]
    private static partial void ApplyFailed(ILogger logger, string type, string appId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Following aegisd's events again")]
    private static partial void Reconnected(ILogger logger);
}
