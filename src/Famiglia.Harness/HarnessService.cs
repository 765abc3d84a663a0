using System.Diagnostics;

namespace Famiglia.Harness;

/// <summary>
/// Starts the room link and the agent, and on stop (aegisd's <c>shutdown</c>, SIGTERM or Ctrl-C) stops the agent,
/// leaves the room with an unavailable presence and lets the host end, all within the grace period.
/// </summary>
internal sealed partial class HarnessService(
    RoomLink room,
    AgentSupervisor agent,
    ShutdownGrace grace,
    StartClock clock,
    ILogger<HarnessService> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _joining = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _joining = Task.Run(() => room.RunAsync(clock.Elapsed, _stopping.Token), CancellationToken.None);
        agent.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var budget = Stopwatch.StartNew();
        var total = grace.Value;
        await _stopping.CancelAsync();
        await agent.StopAsync(total * 0.6);
        try
        {
            using var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            leave.CancelAfter(Max(TimeSpan.FromMilliseconds(200), total * 0.9 - budget.Elapsed));
            await room.LeaveAsync(leave.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or Famiglia.Xmpp.XmppException or IOException)
        {
            LeaveFailed(logger, ex.Message);
        }

        await _joining.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Stopped(logger, budget.Elapsed.TotalMilliseconds);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not leave the room cleanly: {Error}")]
    private static partial void LeaveFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped in {Ms:0} ms")]
    private static partial void Stopped(ILogger logger, double ms);
}

/// <summary>Time since the process started, for the "joined N ms after start" measurement.</summary>
internal sealed class StartClock
{
    public Stopwatch Elapsed { get; } = Stopwatch.StartNew();
}
