using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Aegis.Sandbox.Qemu;

public sealed partial class QemuSandbox
{
    /// <summary>
    /// Saves the running (or paused) VM to <paramref name="directory"/> and ends it: the guest's filesystems are synced,
    /// the VM stopped, its memory written with QMP <c>migrate</c> to <c>exec:cat</c> (QEMU 7.2 has no <c>file:</c>
    /// URI), and its instance layer and share disks moved next to it. The share disks are also copied back to their
    /// host directories, as on every exit. <see cref="QemuBackend.RestoreAsync"/> continues it.
    /// </summary>
    /// <param name="directory">A new or empty directory; absolute, without quotes.</param>
    public async Task<QemuSnapshot> SnapshotAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (!Path.IsPathFullyQualified(directory) || directory.Contains('\'') || (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()))
        {
            throw new ArgumentException($"Snapshot directory {directory} must be an absolute path to a new or empty directory, without quotes", nameof(directory));
        }

        var elapsed = Stopwatch.StartNew();
        await Lifecycle.WaitAsync(cancellationToken);
        try
        {
            var wasRunning = State == SandboxState.Running;
            if (!wasRunning && State != SandboxState.Paused)
            {
                throw new InvalidOperationException($"Sandbox {Id} is {State}, not Running or Paused");
            }

            if (wasRunning)
            {
                // The command is frozen and the disks synced, so the copy exported to the host directory is exactly the
                // snapshot's. (A paused VM cannot be asked: its copy is what had reached the disks when it was paused.)
                await SyncGuestAsync(TimeSpan.FromSeconds(30), cancellationToken);
                await _qmp.ExecuteAsync("stop", null, cancellationToken);
            }

            Directory.CreateDirectory(directory);
            var snapshot = QemuSnapshot.Create(directory, _machine);
            try
            {
                await MigrateAsync($"exec:cat > '{snapshot.Memory}'", cancellationToken);
            }
            catch
            {
                if (wasRunning)
                {
                    await _qmp.ExecuteAsync("cont", null, CancellationToken.None);
                    await _link.SendAsync(new JsonObject { ["type"] = "thaw" }, CancellationToken.None);
                }

                throw;
            }

            _snapshot = snapshot;
            MarkSignalled();
            MarkTerminateRequested();
            await ((Task)_qmp.ExecuteAsync("quit", null, cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            Lifecycle.Release();
        }

        await Exited.WaitAsync(cancellationToken);
        QemuLog.Snapshotted(Logger, Id, _snapshot.MemoryBytes, directory, elapsed.Elapsed);
        return _snapshot;
    }

    private async Task MigrateAsync(string uri, CancellationToken cancellationToken)
    {
        // No bandwidth cap: the stream goes to a local file, not over a network.
        await _qmp.ExecuteAsync("migrate-set-parameters", new JsonObject { ["max-bandwidth"] = long.MaxValue / 2 }, cancellationToken);
        await _qmp.ExecuteAsync("migrate", new JsonObject { ["uri"] = uri }, cancellationToken);
        while (true)
        {
            var info = await _qmp.ExecuteAsync("query-migrate", null, cancellationToken);
            switch ((string?)info?["status"])
            {
                case "completed":
                    return;
                case "failed" or "cancelled":
                    throw new SandboxException($"Snapshot of {Id} failed: {info?["error-desc"]}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider, cancellationToken);
        }
    }

    private async Task SyncGuestAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _synced = synced;
        if (await _link.SendAsync(new JsonObject { ["type"] = "sync", ["id"] = 1, ["freeze"] = true, ["dropCaches"] = true }, cancellationToken))
        {
            await Task.WhenAny(synced.Task, Task.Delay(timeout, TimeProvider, cancellationToken));
        }

        _synced = null;
    }
}
