using Aegis.Core.Instances;
using Aegis.Daemon.Router;
using Aegis.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace Aegis.Daemon.Instances;

/// <summary>
/// Hybrid hot-start: every <c>Idle:CheckInterval</c> a running instance with nothing open and no activity for its
/// pause-after is paused (frozen, resumes in milliseconds), and one paused for its terminate-after is terminated
/// (the workspace stays, and its memory in a snapshot when the backend can: the next ensure restores it, or boots on
/// the workspace). Activity is what the router records on the instance's route.
/// </summary>
internal sealed partial class InstanceManager
{
    private readonly CancellationTokenSource _idleStop = new();
    private Task _idleLoop = Task.CompletedTask;
    private long _idleSweeps;

    /// <summary>How many times the idle timers have looked at every instance; tests wait on this, not on a clock.</summary>
    internal long IdleSweeps => Interlocked.Read(ref _idleSweeps);

    private void StartIdleTimers() => _idleLoop = IdleLoopAsync(_idleStop.Token);

    private async Task StopIdleTimersAsync()
    {
        await _idleStop.CancelAsync();
        await _idleLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task IdleLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(idle.Value.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            foreach (var route in routes.All)
            {
                try
                {
                    await ApplyIdlePolicyAsync(route, cancellationToken);
                }
                catch (Exception ex) when (ex is SandboxException or InvalidInstanceTransitionException or Infrastructure.ApiProblem or DbUpdateException or IOException or InvalidOperationException)
                {
                    IdleTimerFailed(logger, route.InstanceId, ex);
                }
            }

            Interlocked.Increment(ref _idleSweeps);
        }
    }

    private async Task ApplyIdlePolicyAsync(InstanceRoute route, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = route.PausedAt is { } pausedAt
            ? now - pausedAt >= route.Idle.TerminateAfter
            : route.OpenRequests == 0 && now - route.LastActivity >= route.Idle.PauseAfter;
        if (!due)
        {
            return;
        }

        // Under the app's lock, as ensure: a wake in progress finishes first, and what it did is looked at again here.
        var gate = _appLocks.GetOrAdd(route.AppId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (routes.Find(route.AppId) != route)
            {
                return;
            }

            if (route.PausedAt is { } paused)
            {
                if (time.GetUtcNow() - paused >= route.Idle.TerminateAfter)
                {
                    IdleTerminating(logger, route.InstanceId, route.Idle.TerminateAfter.TotalSeconds);
                    await TerminateLockedAsync(route.InstanceId, $"idle: paused for {route.Idle.TerminateAfter.TotalSeconds:0.##} s", keepSnapshot: true);
                }

                return;
            }

            if (!route.TryClose())
            {
                return; // a request or WebSocket is open
            }

            // A request that ended just before the gate closed has moved the last activity.
            if (time.GetUtcNow() - route.LastActivity < route.Idle.PauseAfter || !_sandboxes.TryGetValue(route.InstanceId, out var sandbox) || sandbox.State != SandboxState.Running)
            {
                route.Open();
                return;
            }

            IdlePausing(logger, route.InstanceId, route.Idle.PauseAfter.TotalSeconds);
            await PauseAsync(route.InstanceId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(6, LogLevel.Information, "Instance {InstanceId}: idle for {Seconds} s; pausing it")]
    private static partial void IdlePausing(ILogger logger, string instanceId, double seconds);

    [LoggerMessage(7, LogLevel.Information, "Instance {InstanceId}: paused for {Seconds} s; terminating it, the workspace (and a snapshot, when the backend can) stays")]
    private static partial void IdleTerminating(ILogger logger, string instanceId, double seconds);

    [LoggerMessage(8, LogLevel.Warning, "Instance {InstanceId}: the idle timer failed")]
    private static partial void IdleTimerFailed(ILogger logger, string instanceId, Exception exception);
}
