using System.Net;
using Aegis.Sandbox.Bubblewrap;

namespace Aegis.Sandbox.Qemu;

public sealed partial class QemuSandbox
{
    private readonly IPEndPoint _forward;
    private readonly SemaphoreSlim _portLock = new(1, 1);
    private TcpForwarder? _exposed;

    /// <summary>
    /// slirp's hostfwd listens on the host from QEMU's start and accepts whether or not anything listens in the guest
    /// (it then just closes), so a TCP health probe would always pass. The endpoint is therefore the host's own relay
    /// to the hostfwd port, listening only while the guest agent reports a listener on the exposed port: refused before
    /// the guest's server is up and after it stopped, as on bwrap.
    /// </summary>
    private async Task SetPortOpenAsync(bool open)
    {
        await _portLock.WaitAsync();
        try
        {
            if (open && _exposed is null && !Released)
            {
                try
                {
                    _exposed = TcpForwarder.Start(Endpoint, _forward, Id, Logger);
                }
                catch (SandboxException exception)
                {
                    QemuLog.CleanupFailed(Logger, Id, "listen on the endpoint", exception);
                }
            }
            else if (!open && _exposed is { } exposed)
            {
                _exposed = null;
                await exposed.DisposeAsync();
            }
        }
        finally
        {
            _portLock.Release();
        }
    }
}
