using System.Collections.Concurrent;
using System.Net.Sockets;
using Aegis.Core.Instances;
using Aegis.Sandbox;
using Microsoft.EntityFrameworkCore;

namespace Aegis.Daemon.Instances;

/// <summary>
/// The periodic health check: every <c>HealthInterval</c> each running instance must still have its sandbox, a
/// tcp-checked app must still accept connections on its port, and a guest on the control channel must answer
/// <c>health</c> with ok. A failed check terminates the sandbox and puts the instance into error with the reason.
/// </summary>
internal sealed partial class InstanceManager
{
    private readonly ConcurrentDictionary<string, MonitoredInstance> _monitored = new();
    private readonly CancellationTokenSource _healthStop = new();
    private Task _healthLoop = Task.CompletedTask;

    private void StartHealthChecks() => _healthLoop = HealthLoopAsync(_healthStop.Token);

    private async Task StopHealthChecksAsync()
    {
        await _healthStop.CancelAsync();
        await _healthLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Monitor(string appId, string instanceId, ISandbox sandbox, string check) =>
        _monitored[instanceId] = new MonitoredInstance(appId, instanceId, sandbox, check);

    private void StopMonitoring(string instanceId) => _monitored.TryRemove(instanceId, out _);

    private async Task HealthLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(options.Value.HealthInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await Task.WhenAll(_monitored.Values.Select(m => CheckHealthAsync(m, cancellationToken)));
        }
    }

    private async Task CheckHealthAsync(MonitoredInstance instance, CancellationToken cancellationToken)
    {
        try
        {
            if (!_sandboxes.TryGetValue(instance.InstanceId, out var current) || current != instance.Sandbox)
            {
                // Terminated or crashed meanwhile; those paths own the instance now.
                _monitored.TryRemove(new KeyValuePair<string, MonitoredInstance>(instance.InstanceId, instance));
                return;
            }

            var failure = await ProbeAsync(instance, cancellationToken);

            // A paused sandbox answers nothing; a sandbox that died is reported by the exit watcher.
            if (failure is null || instance.Sandbox.State != SandboxState.Running || instance.Sandbox.Exited.IsCompleted)
            {
                return;
            }

            await FailHealthAsync(instance, $"health check failed: {failure}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // aegisd stops.
        }
        catch (Exception ex) when (ex is SandboxException or InvalidInstanceTransitionException or DbUpdateException or IOException or ObjectDisposedException)
        {
            HealthCheckErrored(logger, instance.InstanceId, ex);
        }
    }

    /// <summary>Null when healthy, else what failed ("port 80 refused").</summary>
    private async Task<string?> ProbeAsync(MonitoredInstance instance, CancellationToken cancellationToken)
    {
        var sandbox = instance.Sandbox;
        if (sandbox.State != SandboxState.Running)
        {
            return null;
        }

        var timeout = options.Value.HealthTimeout;
        if (instance.Check == "tcp")
        {
            using var deadline = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
            try
            {
                using var probe = new Socket(sandbox.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(sandbox.Endpoint, linked.Token);
            }
            catch (SocketException ex)
            {
                // A reset while connecting is a refusal too: the listener was closing as the probe arrived.
                return ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset
                    ? $"port {sandbox.Endpoint.Port} refused"
                    : $"port {sandbox.Endpoint.Port}: {ex.SocketErrorCode}";
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return $"port {sandbox.Endpoint.Port} did not accept a connection within {timeout.TotalSeconds:0.##} s";
            }
        }

        if (sandbox.ControlConnected)
        {
            var health = await sandbox.QueryHealthAsync(timeout, cancellationToken);
            if (health is { Ok: false })
            {
                return health.Detail is { Length: > 0 } detail ? $"the guest reports: {detail}" : "the guest reports unhealthy";
            }

            if (health is null && sandbox.ControlConnected)
            {
                return $"the guest did not answer health within {timeout.TotalSeconds:0.##} s";
            }
        }

        return null;
    }

    private async Task FailHealthAsync(MonitoredInstance instance, string reason)
    {
        var gate = _appLocks.GetOrAdd(instance.AppId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            if (!_monitored.TryRemove(new KeyValuePair<string, MonitoredInstance>(instance.InstanceId, instance)))
            {
                return;
            }

            _terminating[instance.InstanceId] = reason;
            routes.Remove(instance.InstanceId);
            if (!_sandboxes.TryRemove(new KeyValuePair<string, ISandbox>(instance.InstanceId, instance.Sandbox)))
            {
                return;
            }

            HealthCheckFailed(logger, instance.InstanceId, reason);
            await instance.Sandbox.TerminateAsync(options.Value.TerminateGrace);
            await instance.Sandbox.DisposeAsync();
            await ChangeStateAsync(instance.InstanceId, InstanceState.Error, reason, i => i.EndedAt = time.GetUtcNow(), CancellationToken.None);
        }
        finally
        {
            _terminating.TryRemove(instance.InstanceId, out _);
            gate.Release();
        }
    }

    private sealed record MonitoredInstance(string AppId, string InstanceId, ISandbox Sandbox, string Check);

    [LoggerMessage(4, LogLevel.Warning, "Instance {InstanceId}: {Reason}; terminating it")]
    private static partial void HealthCheckFailed(ILogger logger, string instanceId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Instance {InstanceId}: the health check itself failed")]
    private static partial void HealthCheckErrored(ILogger logger, string instanceId, Exception exception);
}
