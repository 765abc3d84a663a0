using System.Net.Sockets;
using System.Text;

namespace Aegis.Sandbox.Qemu;

public sealed partial class QemuSandbox
{
    private async Task PumpLogAsync()
    {
        try
        {
            using var connection = await _logListener.AcceptAsync();
            using var stream = new NetworkStream(connection, ownsSocket: false);
            await _log.PumpAsync(stream);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or IOException)
        {
            // QEMU went away before or while connecting.
        }
    }

    private async Task<SandboxExit> MonitorAsync()
    {
        await _process.WaitForExitAsync();
        await Lifecycle.WaitAsync();
        try
        {
            _logListener.Dispose();
            await _logPump.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            CloseBridge();
            await SetPortOpenAsync(false);
            await QemuBackend.TryAsync(Logger, Id, "control channel", async () => await Control.DisposeAsync());
            await QemuBackend.TryAsync(Logger, Id, "guest link", async () => await _link.DisposeAsync());
            await QemuBackend.TryAsync(Logger, Id, "qmp", async () => await _qmp.DisposeAsync());
            if (_guestExit is null && !_started.Task.IsCompleted)
            {
                await _log.WriteAsync(Encoding.UTF8.GetBytes($"aegis: the VM stopped before the command started: {BootFailure()}\n"));
            }

            var snapshot = _snapshot;
            for (var i = 0; i < _shares.Count; i++)
            {
                var share = _shares[i];
                await QemuBackend.TryAsync(Logger, Id, "export " + share.GuestPath, () => share.ExportAsync(_options, copyFirst: snapshot is not null, CancellationToken.None));
                if (snapshot is not null)
                {
                    File.Move(share.ImagePath, snapshot.Share(i));
                }
            }

            if (snapshot is not null)
            {
                File.Move(_paths.Overlay, snapshot.Overlay);
            }

            await QemuBackend.TryAsync(Logger, Id, "runtime directory", () =>
            {
                Directory.Delete(_paths.Directory, recursive: true);
                return Task.CompletedTask;
            });
            await _log.DisposeAsync();
            MarkReleased();
        }
        finally
        {
            Lifecycle.Release();
        }

        var signalled = Signalled;
        var result = _guestExit is var (code, oomKilled)
            ? new SandboxExit(code, oomKilled ? SandboxExitReason.OomKilled : signalled ? SandboxExitReason.Terminated : SandboxExitReason.Exited)
            : _snapshot is not null ? new SandboxExit(0, SandboxExitReason.Terminated)
            : new SandboxExit(signalled ? 137 : 255, signalled ? SandboxExitReason.Terminated : SandboxExitReason.Exited);
        QemuLog.Exited(Logger, Id, result.ExitCode, result.ReasonCode);
        return result;
    }

    /// <summary>The end of the guest console and QEMU's own output: why a VM did not boot.</summary>
    private string BootFailure()
    {
        string console;
        try
        {
            var text = File.Exists(_paths.Console) ? File.ReadAllText(_paths.Console) : "";
            console = text.Length > 2000 ? text[^2000..] : text;
        }
        catch (IOException)
        {
            console = "";
        }

        return $"qemu: {_vmmOutput()} console: {console.Trim()}";
    }
}
