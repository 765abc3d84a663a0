using System.Collections.Concurrent;
using System.Globalization;
using Aegis.Core.Registry;
using Aegis.Daemon.Infrastructure;
using Aegis.Daemon.Snapshots;
using Aegis.Sandbox;

namespace Aegis.Daemon.Instances;

/// <summary>
/// The instance tier of snapshots: on a backend that can (<see cref="ISandboxBackend.SupportsSnapshots"/>, qemu),
/// terminating an instance saves its memory first, and the app's next ensure restores it: every process goes on where
/// it was. A snapshot is discarded (and ensure boots afresh) when it cannot serve: another release is wanted, the
/// environment or the volume on the host changed since, or the restore itself fails. Snapshots older than
/// <see cref="SnapshotOptions.MaxAge"/> are swept; deleting the app deletes its snapshots.
/// </summary>
internal sealed partial class InstanceManager
{
    // What the processes of each live instance were started with (a restored one keeps its snapshot's), for the
    // snapshot taken when it is terminated.
    private readonly ConcurrentDictionary<string, string> _environmentHashes = new();
    private readonly CancellationTokenSource _snapshotSweepStop = new();
    private Task _snapshotSweepLoop = Task.CompletedTask;
    private long _snapshotSweeps;

    /// <summary>How many times the snapshot sweep has run; tests wait on this, not on a clock.</summary>
    internal long SnapshotSweeps => Interlocked.Read(ref _snapshotSweeps);

    private async Task StartSnapshotSweepAsync(CancellationToken cancellationToken)
    {
        await snapshots.EnsureTableAsync(cancellationToken);
        foreach (var orphan in await snapshots.RemoveOrphansAsync(cancellationToken))
        {
            SnapshotOrphanRemoved(logger, orphan);
        }

        _snapshotSweepLoop = SnapshotSweepLoopAsync(_snapshotSweepStop.Token);
    }

    private async Task StopSnapshotSweepAsync()
    {
        await _snapshotSweepStop.CancelAsync();
        await _snapshotSweepLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Saves the sandbox's memory before terminate would kill it; null when the backend has no snapshots, the sandbox
    /// is not running or paused, or the snapshot failed (logged; the caller terminates as usual).
    /// </summary>
    private async Task<InstanceSnapshotEntity?> TrySnapshotAsync(InstanceEntity instance, ISandbox sandbox)
    {
        if (!backend.SupportsSnapshots || sandbox.State is not (SandboxState.Running or SandboxState.Paused)
            || !_environmentHashes.TryGetValue(instance.Id, out var environmentHash))
        {
            return null;
        }

        var directory = snapshots.DirectoryFor(instance.Id);
        var started = time.GetTimestamp();
        using var activity = AegisTracing.Start("aegis.snapshot.save");
        activity?.SetTag(AegisTracing.InstanceId, instance.Id);
        activity?.SetTag(AegisTracing.Backend, backend.Name);
        try
        {
            // Only root: a snapshot holds the guest's memory, secrets included.
            Directory.CreateDirectory(snapshots.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var taken = await backend.SnapshotAsync(sandbox, directory, CancellationToken.None);
            var snapshot = new InstanceSnapshotEntity
            {
                InstanceId = instance.Id,
                AppId = instance.AppId,
                ReleaseId = instance.ReleaseId,
                Backend = backend.Name,
                Directory = taken.Directory,
                MemoryBytes = taken.MemoryBytes,
                SizeBytes = taken.TotalBytes,

                // The backend has put the volume back on the host (the sandbox has exited): this is the state a restore
                // continues from.
                VolumeFingerprint = SnapshotFingerprint.Volume(apps.VolumeDirectory(instance.AppId)),
                EnvironmentHash = environmentHash,
                CreatedAt = time.GetUtcNow(),
            };
            await snapshots.AddAsync(snapshot, CancellationToken.None);
            var elapsed = time.GetElapsedTime(started);
            metrics.Snapshotted(elapsed);
            SnapshotTaken(logger, instance.Id, taken.MemoryBytes, taken.TotalBytes, elapsed.TotalMilliseconds);
            await events.PublishAsync("snapshot.created", instance.AppId, instance.Id,
                string.Create(CultureInfo.InvariantCulture, $"memory {Mebibytes(taken.MemoryBytes)} MiB, {Mebibytes(taken.TotalBytes)} MiB on disk, in {elapsed.TotalSeconds:0.0} s"));
            activity?.SetTag(AegisTracing.Outcome, "ok");
            return snapshot;
        }
        catch (Exception ex) when (ex is SandboxException or IOException or InvalidOperationException or ArgumentException
            or Microsoft.EntityFrameworkCore.DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
        {
            SnapshotFailed(logger, instance.Id, ex);
            activity.Failed(ex);
            SnapshotStore.DeleteDirectory(directory);
            return null;
        }
    }

    /// <summary>
    /// Starts the instance's sandbox: restored from the app's newest snapshot when that can serve this boot, else
    /// booted afresh (the snapshot is then discarded, with the reason in the log and a <c>snapshot.discarded</c> event).
    /// </summary>
    private async Task<(ISandbox Sandbox, InstanceSnapshotEntity? RestoredFrom)> StartOrRestoreAsync(
        InstanceEntity instance, SandboxSpec spec, string volume, CancellationToken cancellationToken)
    {
        var snapshot = await snapshots.FindNewestAsync(instance.AppId, cancellationToken);
        if (snapshot is null)
        {
            return (await StartSandboxAsync(spec, cancellationToken), null);
        }

        var refusal = RestoreRefusal(snapshot, instance, spec, volume);
        if (refusal is null)
        {
            try
            {
                var started = time.GetTimestamp();
                var sandbox = await AegisTracing.StepAsync("aegis.snapshot.restore",
                    () => backend.RestoreAsync(spec, snapshot.Directory, cancellationToken), instance.Id, AegisTracing.Backend, backend.Name);
                await snapshots.DeleteAsync(snapshot, CancellationToken.None);
                SnapshotRestored(logger, instance.Id, snapshot.InstanceId, time.GetElapsedTime(started).TotalMilliseconds);
                await events.PublishAsync("snapshot.restored", instance.AppId, instance.Id,
                    string.Create(CultureInfo.InvariantCulture, $"continues {snapshot.InstanceId} as of {snapshot.CreatedAt:u}"), CancellationToken.None);
                return (sandbox, snapshot);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                RestoreFailed(logger, instance.Id, snapshot.InstanceId, ex);
                refusal = $"the restore failed: {ex.Message}";
            }
        }

        SnapshotDiscarded(logger, snapshot.InstanceId, instance.Id, refusal);
        await snapshots.DeleteAsync(snapshot, CancellationToken.None);
        await events.PublishAsync("snapshot.discarded", instance.AppId, snapshot.InstanceId, $"{refusal}; {instance.Id} boots afresh", CancellationToken.None);
        return (await StartSandboxAsync(spec, cancellationToken), null);
    }

    private Task<ISandbox> StartSandboxAsync(SandboxSpec spec, CancellationToken cancellationToken) =>
        AegisTracing.StepAsync("aegis.sandbox.start", () => backend.StartAsync(spec, cancellationToken), spec.InstanceId, AegisTracing.Backend, backend.Name);

    /// <summary>Why <paramref name="snapshot"/> cannot continue as <paramref name="instance"/>; null when it can.</summary>
    private string? RestoreRefusal(InstanceSnapshotEntity snapshot, InstanceEntity instance, SandboxSpec spec, string volume)
    {
        if (!backend.SupportsSnapshots || snapshot.Backend != backend.Name)
        {
            return $"it was taken by the {snapshot.Backend} backend and this aegisd runs {backend.Name}";
        }

        if (snapshot.ReleaseId != instance.ReleaseId)
        {
            return $"the release changed ({snapshot.ReleaseId ?? "none"} → {instance.ReleaseId ?? "none"})";
        }

        if (!SnapshotFingerprint.EnvironmentMatches(snapshot.EnvironmentHash, spec.Environment))
        {
            return "the environment (rendered env or secrets) changed since";
        }

        if (SnapshotFingerprint.Volume(volume) != snapshot.VolumeFingerprint)
        {
            return "the app's workspace or canvas changed on the host since";
        }

        return null;
    }

    /// <summary>Deletes every snapshot of the app (the app is being deleted). Callers hold the app's lock.</summary>
    private async Task DeleteSnapshotsLockedAsync(string appId, string reason)
    {
        foreach (var snapshot in await snapshots.ListAsync(appId, CancellationToken.None))
        {
            await snapshots.DeleteAsync(snapshot, CancellationToken.None);
            SnapshotDeleted(logger, snapshot.InstanceId, reason);
            await events.PublishAsync("snapshot.deleted", appId, snapshot.InstanceId, reason, CancellationToken.None);
        }
    }

    private async Task SnapshotSweepLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(snapshotOptions.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await SweepSnapshotsAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.EntityFrameworkCore.DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
            {
                SnapshotSweepFailed(logger, ex);
            }

            Interlocked.Increment(ref _snapshotSweeps);
        }
    }

    /// <summary>Deletes the snapshots older than <see cref="SnapshotOptions.MaxAge"/>, each under its app's lock: an ensure
    /// restoring one has finished with it (and consumed it) before the sweep looks again.</summary>
    private async Task SweepSnapshotsAsync(CancellationToken cancellationToken)
    {
        var maxAge = snapshotOptions.Value.MaxAge;
        foreach (var candidate in await snapshots.OlderThanAsync(time.GetUtcNow() - maxAge, cancellationToken))
        {
            var gate = _appLocks.GetOrAdd(candidate.AppId, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken);
            try
            {
                var expired = (await snapshots.ListAsync(candidate.AppId, cancellationToken))
                    .FirstOrDefault(s => s.InstanceId == candidate.InstanceId && time.GetUtcNow() - s.CreatedAt > maxAge);
                if (expired is null)
                {
                    continue; // restored meanwhile
                }

                var reason = string.Create(CultureInfo.InvariantCulture, $"older than {maxAge} (Aegis:Snapshots:MaxAge)");
                await snapshots.DeleteAsync(expired, cancellationToken);
                SnapshotDeleted(logger, expired.InstanceId, reason);
                await events.PublishAsync("snapshot.expired", expired.AppId, expired.InstanceId, reason, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private static long Mebibytes(long bytes) => (bytes + (1024 * 1024) - 1) / (1024 * 1024);

    [LoggerMessage(20, LogLevel.Information, "Instance {InstanceId}: memory snapshot taken ({MemoryBytes} bytes of memory, {TotalBytes} on disk) in {Milliseconds} ms")]
    private static partial void SnapshotTaken(ILogger logger, string instanceId, long memoryBytes, long totalBytes, double milliseconds);

    [LoggerMessage(21, LogLevel.Warning, "Instance {InstanceId}: the memory snapshot failed; terminating without one")]
    private static partial void SnapshotFailed(ILogger logger, string instanceId, Exception exception);

    [LoggerMessage(22, LogLevel.Information, "Instance {InstanceId} restored from the snapshot of {SnapshotInstanceId} in {Milliseconds} ms")]
    private static partial void SnapshotRestored(ILogger logger, string instanceId, string snapshotInstanceId, double milliseconds);

    [LoggerMessage(23, LogLevel.Warning, "Instance {InstanceId}: restoring the snapshot of {SnapshotInstanceId} failed")]
    private static partial void RestoreFailed(ILogger logger, string instanceId, string snapshotInstanceId, Exception exception);

    [LoggerMessage(24, LogLevel.Warning, "Snapshot of {SnapshotInstanceId} discarded, {InstanceId} boots afresh: {Reason}")]
    private static partial void SnapshotDiscarded(ILogger logger, string snapshotInstanceId, string instanceId, string reason);

    [LoggerMessage(25, LogLevel.Information, "Snapshot of {SnapshotInstanceId} deleted: {Reason}")]
    private static partial void SnapshotDeleted(ILogger logger, string snapshotInstanceId, string reason);

    [LoggerMessage(26, LogLevel.Warning, "The snapshot sweep failed")]
    private static partial void SnapshotSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(27, LogLevel.Information, "Removed {Directory}: a snapshot directory no registry row names")]
    private static partial void SnapshotOrphanRemoved(ILogger logger, string directory);
}
