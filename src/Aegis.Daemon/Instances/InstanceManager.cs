using System.Collections.Concurrent;
using System.Diagnostics;
using Aegis.Core.Instances;
using Aegis.Core.Registry;
using Aegis.Daemon.Apps;
using Aegis.Daemon.Events;
using Aegis.Daemon.Images;
using Aegis.Daemon.Infrastructure;
using Aegis.Daemon.Kits;
using Aegis.Daemon.Router;
using Aegis.Daemon.Snapshots;
using Aegis.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Instances;

/// <summary>
/// Owns every instance's lifecycle: ensure (boot, resume or restore, one instance per app however many callers
/// race), pause, resume, terminate (with a memory snapshot when the backend can), and what happens when a sandbox
/// dies on its own. State changes go through <see cref="InstanceTransitions"/> and are recorded as events; what one app's
/// instances do is serialized by the app's lock.
/// </summary>
internal sealed partial class InstanceManager(
    IDbContextFactory<AegisDbContext> db,
    ISandboxBackend backend,
    AppService apps,
    KitCatalog kits,
    ImageCatalog images,
    EventHub events,
    AegisMetrics metrics,
    RouteTable routes,
    SnapshotStore snapshots,
    IOptions<AegisOptions> options,
    IOptions<IdleOptions> idle,
    IOptions<SnapshotOptions> snapshotOptions,
    TimeProvider time,
    ILogger<InstanceManager> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _appLocks = new();
    private readonly ConcurrentDictionary<string, ISandbox> _sandboxes = new();
    private readonly ConcurrentDictionary<string, string> _terminating = new();
    private readonly SemaphoreSlim _quotaGate = new(1, 1);

    /// <summary>Returns the app's running instance: the live one, resumed if paused, else one restored from the app's
    /// snapshot or booted afresh. Concurrent calls for one app serialize on the app, so they all get the same instance.</summary>
    public async Task<InstanceEntity> EnsureAsync(string appId, string? releaseId, CancellationToken cancellationToken)
    {
        using var activity = AegisTracing.Start("aegis.ensure");
        activity?.SetTag(AegisTracing.AppId, appId);
        activity?.SetTag(AegisTracing.ReleaseId, releaseId);
        try
        {
            var instance = await EnsureLockedAsync(appId, releaseId, activity, cancellationToken);
            activity?.SetTag(AegisTracing.InstanceId, instance.Id);
            activity?.SetTag(AegisTracing.Outcome, "ok");
            return instance;
        }
        catch (Exception ex)
        {
            activity.Failed(ex);
            throw;
        }
    }

    private async Task<InstanceEntity> EnsureLockedAsync(string appId, string? releaseId, Activity? activity, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var gate = _appLocks.GetOrAdd(appId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var app = await apps.GetAsync(appId, cancellationToken);
            activity?.SetTag(AegisTracing.Kit, app.Kit);
            var live = await FindLiveAsync(appId, cancellationToken);
            if (live is not null && _sandboxes.ContainsKey(live.Id) && (releaseId is null || releaseId == live.ReleaseId))
            {
                var path = live.State == InstanceState.Paused ? "resume" : "existing";
                activity?.SetTag(AegisTracing.EnsurePath, path);
                if (live.State == InstanceState.Paused)
                {
                    live = await ResumeAsync(live.Id, cancellationToken);
                }

                metrics.Ensured(path, time.GetElapsedTime(started));
                return live;
            }

            if (live is not null)
            {
                await TerminateLockedAsync(live.Id, releaseId is null ? "sandbox lost" : "replaced by another release", keepSnapshot: false);
            }

            // "cold" until the boot turns out to have restored the app's snapshot.
            activity?.SetTag(AegisTracing.EnsurePath, "cold");
            var (instance, bootPath) = await BootAsync(app, releaseId, cancellationToken);
            activity?.SetTag(AegisTracing.EnsurePath, bootPath);
            metrics.Ensured(bootPath, time.GetElapsedTime(started));
            return instance;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<InstanceEntity> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Instances.AsNoTracking().SingleOrDefaultAsync(i => i.Id == instanceId, cancellationToken)
            ?? throw ApiProblem.NotFound("Instance", instanceId);
    }

    public async Task<List<InstanceEntity>> ListAsync(string? appId, bool includeEnded, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var query = context.Instances.AsNoTracking();
        if (appId is not null)
        {
            query = query.Where(i => i.AppId == appId);
        }

        if (!includeEnded)
        {
            query = query.Where(i => i.State == InstanceState.Booting || i.State == InstanceState.Running || i.State == InstanceState.Paused);
        }

        return await query.OrderBy(i => i.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<InstanceEntity> PauseAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var activity = AegisTracing.Start("aegis.pause");
        activity?.SetTag(AegisTracing.InstanceId, instanceId);
        try
        {
            var paused = await PauseTracedAsync(instanceId, activity, cancellationToken);
            activity?.SetTag(AegisTracing.Outcome, "ok");
            return paused;
        }
        catch (Exception ex)
        {
            activity.Failed(ex);
            throw;
        }
    }

    private async Task<InstanceEntity> PauseTracedAsync(string instanceId, Activity? activity, CancellationToken cancellationToken)
    {
        var instance = await GetAsync(instanceId, cancellationToken);
        activity?.SetTag(AegisTracing.AppId, instance.AppId);
        InstanceTransitions.Ensure(instanceId, instance.State, InstanceState.Paused);

        // Closed first: from now on a request wakes the instance instead of waiting on a frozen sandbox.
        var route = routes.FindInstance(instanceId);
        route?.Close();
        try
        {
            await Sandbox(instanceId).PauseAsync(cancellationToken);
            var now = time.GetUtcNow();
            var paused = await ChangeStateAsync(instanceId, InstanceState.Paused, null, i =>
            {
                i.PausedAt = now;
                i.LastActivityAt = route?.LastActivity ?? i.LastActivityAt;
            }, cancellationToken);
            route?.MarkPaused(now);
            return paused;
        }
        catch
        {
            route?.Open();
            throw;
        }
    }

    public async Task<InstanceEntity> ResumeAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var activity = AegisTracing.Start("aegis.resume");
        activity?.SetTag(AegisTracing.InstanceId, instanceId);
        try
        {
            var instance = await GetAsync(instanceId, cancellationToken);
            activity?.SetTag(AegisTracing.AppId, instance.AppId);
            InstanceTransitions.Ensure(instanceId, instance.State, InstanceState.Running);
            await Sandbox(instanceId).ResumeAsync(cancellationToken);
            var now = time.GetUtcNow();
            var resumed = await ChangeStateAsync(instanceId, InstanceState.Running, null, i => i.LastActivityAt = now, cancellationToken);
            routes.FindInstance(instanceId)?.Resumed(now);
            activity?.SetTag(AegisTracing.Outcome, "ok");
            return resumed;
        }
        catch (Exception ex)
        {
            activity.Failed(ex);
            throw;
        }
    }

    /// <summary>Terminates the instance, saving its memory first when the backend can (the next ensure restores it).</summary>
    public async Task<InstanceEntity> TerminateAsync(string instanceId, string reason, CancellationToken cancellationToken)
    {
        var instance = await GetAsync(instanceId, cancellationToken);
        var gate = _appLocks.GetOrAdd(instance.AppId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await TerminateLockedAsync(instanceId, reason, keepSnapshot: true);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Ends the app for good (it is being deleted): its live instances are terminated without snapshots and
    /// its snapshots deleted.</summary>
    public async Task TerminateAppAsync(string appId, string reason, CancellationToken cancellationToken)
    {
        var gate = _appLocks.GetOrAdd(appId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var instance in await ListAsync(appId, includeEnded: false, cancellationToken))
            {
                await TerminateLockedAsync(instance.Id, reason, keepSnapshot: false);
            }

            await DeleteSnapshotsLockedAsync(appId, reason);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Terminate under the app's lock. Once begun it runs to its end whatever the caller does: a sandbox half
    /// snapshotted or half stopped must not be left behind.</summary>
    private async Task<InstanceEntity> TerminateLockedAsync(string instanceId, string reason, bool keepSnapshot)
    {
        using var activity = AegisTracing.Start("aegis.terminate");
        activity?.SetTag(AegisTracing.InstanceId, instanceId);
        activity?.SetTag(AegisTracing.Reason, reason);
        try
        {
            var terminated = await TerminateTracedAsync(instanceId, reason, keepSnapshot, activity);
            activity?.SetTag(AegisTracing.Outcome, "ok");
            return terminated;
        }
        catch (Exception ex)
        {
            activity.Failed(ex);
            throw;
        }
    }

    private async Task<InstanceEntity> TerminateTracedAsync(string instanceId, string reason, bool keepSnapshot, Activity? activity)
    {
        var instance = await GetAsync(instanceId, CancellationToken.None);
        activity?.SetTag(AegisTracing.AppId, instance.AppId);
        if (instance.State == InstanceState.Terminated)
        {
            return instance; // terminating twice is a no-op
        }

        InstanceTransitions.Ensure(instanceId, instance.State, InstanceState.Terminated);
        _terminating[instanceId] = reason;
        routes.Remove(instanceId);
        StopMonitoring(instanceId);
        try
        {
            if (_sandboxes.TryRemove(instanceId, out var sandbox))
            {
                if (!keepSnapshot || await TrySnapshotAsync(instance, sandbox) is null)
                {
                    await sandbox.TerminateAsync(options.Value.TerminateGrace, CancellationToken.None);
                }

                await sandbox.DisposeAsync();
            }

            return await ChangeStateAsync(instanceId, InstanceState.Terminated, reason, i => i.EndedAt = time.GetUtcNow(), CancellationToken.None);
        }
        finally
        {
            _terminating.TryRemove(instanceId, out _);
            _environmentHashes.TryRemove(instanceId, out _);
        }
    }

    /// <summary>What the instance's sandbox uses now (a few cgroup or /proc files); null when it has no live sandbox.</summary>
    public SandboxUsage? Usage(string instanceId) => _sandboxes.TryGetValue(instanceId, out var sandbox) ? sandbox.ReadUsage() : null;

    /// <summary>The sandbox's stdout/stderr log, when the instance has (or had) one.</summary>
    public string LogPath(string instanceId) => Path.Combine(options.Value.DataDirectory, "logs", instanceId + ".log");

    /// <summary>On start: instances the registry thinks are live have no sandbox any more (bwrap sandboxes
    /// die with the daemon), so they are marked terminated and their leftovers swept.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var stale in await ListAsync(null, includeEnded: false, cancellationToken))
        {
            foreach (var removed in await backend.RemoveLeftoversAsync(stale.Id, cancellationToken))
            {
                LeftoverRemoved(logger, stale.Id, removed);
            }

            await ChangeStateAsync(stale.Id, InstanceState.Terminated, "aegisd restarted; the sandbox did not survive it", i => i.EndedAt = time.GetUtcNow(), cancellationToken);
        }

        await StartPoolAsync(cancellationToken);
        await StartSnapshotSweepAsync(cancellationToken);
        StartHealthChecks();
        StartIdleTimers();
    }

    /// <summary>On shutdown every sandbox is terminated, after saving its memory where the backend can (qemu), so the
    /// app's next ensure, after aegisd is back, continues it; the registry is updated when the host still allows it,
    /// else the next start's reconciliation marks the instances.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop its services more than once (WebApplicationFactory's dispose does); one shutdown.
        lock (_appLocks)
        {
            return _stopping ??= StopOnceAsync(cancellationToken);
        }
    }

    private Task? _stopping;

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await StopHealthChecksAsync();
        await StopIdleTimersAsync();
        await StopSnapshotSweepAsync();
        await StopPoolAsync();
        foreach (var (id, sandbox) in _sandboxes.ToArray())
        {
            _terminating[id] = "aegisd stopped";
            routes.Remove(id);
            StopMonitoring(id);
            try
            {
                if (!_sandboxes.TryRemove(new KeyValuePair<string, ISandbox>(id, sandbox)))
                {
                    continue;
                }

                var kept = backend.SupportsSnapshots && await TrySnapshotAsync(await GetAsync(id, cancellationToken), sandbox) is not null;
                if (!kept)
                {
                    await sandbox.TerminateAsync(options.Value.TerminateGrace, cancellationToken);
                }

                await sandbox.DisposeAsync();
                await ChangeStateAsync(id, InstanceState.Terminated, kept ? "aegisd stopped; its memory snapshot is kept for the next ensure" : "aegisd stopped",
                    i => i.EndedAt = time.GetUtcNow(), cancellationToken);
            }
            catch (Exception ex) when (ex is SandboxException or InvalidInstanceTransitionException or IOException or ObjectDisposedException)
            {
                TerminateFailed(logger, id, ex);
            }
        }
    }

    /// <summary>A sandbox that ends without being terminated crashed: the instance goes to error, with the reason.</summary>
    private async Task WatchExitAsync(string instanceId, ISandbox sandbox)
    {
        var exit = await sandbox.Exited;
        _monitored.TryRemove(instanceId, out _);
        _environmentHashes.TryRemove(instanceId, out _);
        routes.Remove(instanceId);
        if (_terminating.ContainsKey(instanceId) || !_sandboxes.TryRemove(new KeyValuePair<string, ISandbox>(instanceId, sandbox)))
        {
            return;
        }

        var reason = exit.Reason == SandboxExitReason.OomKilled ? "oom-killed: the app exceeded its memory limit" : $"exited with code {exit.ExitCode}";
        try
        {
            await ChangeStateAsync(instanceId, InstanceState.Error, reason, i => i.EndedAt = time.GetUtcNow(), CancellationToken.None);
            await sandbox.DisposeAsync();
        }
        catch (Exception ex) when (ex is InvalidInstanceTransitionException or DbUpdateException)
        {
            TerminateFailed(logger, instanceId, ex);
        }
    }

    private async Task<InstanceEntity> ChangeStateAsync(string instanceId, InstanceState to, string? reason, Action<InstanceEntity>? update, CancellationToken cancellationToken)
    {
        InstanceEntity instance;
        await using (var context = await db.CreateDbContextAsync(cancellationToken))
        {
            instance = await context.Instances.SingleAsync(i => i.Id == instanceId, cancellationToken);
            InstanceTransitions.Ensure(instanceId, instance.State, to);
            instance.State = to;
            instance.Reason = reason;
            update?.Invoke(instance);
            await context.SaveChangesAsync(cancellationToken);
        }

        metrics.Transition(instanceId, to);
        if (to is InstanceState.Terminated or InstanceState.Error && PoolEnabled)
        {
            // Room under the host quotas again, perhaps: the pool may fill.
            _poolSignal.Release();
        }

        await events.PublishAsync($"instance.{to.ToString().ToLowerInvariant()}", instance.AppId, instanceId, reason, cancellationToken);
        return instance;
    }

    private async Task<InstanceEntity?> FindLiveAsync(string appId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Instances.AsNoTracking()
            .Where(i => i.AppId == appId && (i.State == InstanceState.Booting || i.State == InstanceState.Running || i.State == InstanceState.Paused))
            .FirstOrDefaultAsync(cancellationToken);
    }

    private async Task<ReleaseEntity?> FindReleaseAsync(string appId, string? releaseId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        if (releaseId is null)
        {
            return await context.Releases.AsNoTracking().Where(r => r.AppId == appId).OrderByDescending(r => r.Version).FirstOrDefaultAsync(cancellationToken);
        }

        return await context.Releases.AsNoTracking().SingleOrDefaultAsync(r => r.Id == releaseId && r.AppId == appId, cancellationToken)
            ?? throw ApiProblem.NotFound("Release", releaseId);
    }

    private ISandbox Sandbox(string instanceId) =>
        _sandboxes.TryGetValue(instanceId, out var sandbox) ? sandbox : throw ApiProblem.Conflict("No sandbox", $"Instance {instanceId} has no live sandbox.");

    [LoggerMessage(1, LogLevel.Information, "Instance {InstanceId} healthy after {Milliseconds} ms")]
    private static partial void BootCompleted(ILogger logger, string instanceId, double milliseconds);

    [LoggerMessage(3, LogLevel.Information, "Instance {InstanceId}: removed leftover {Leftover}")]
    private static partial void LeftoverRemoved(ILogger logger, string instanceId, string leftover);

    [LoggerMessage(28, LogLevel.Information, "App {AppId}: dropped its instance layer over release {ReleaseId}, which it no longer runs")]
    private static partial void LayerDropped(ILogger logger, string appId, string releaseId);

    [LoggerMessage(2, LogLevel.Warning, "Terminating instance {InstanceId} failed")]
    private static partial void TerminateFailed(ILogger logger, string instanceId, Exception exception);
}
