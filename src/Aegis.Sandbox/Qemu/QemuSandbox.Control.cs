using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Aegis.Sandbox.Qemu;

public sealed partial class QemuSandbox
{
    private readonly Lock _bridgeGate = new();
    private Socket? _bridge;

    private bool BridgeOpen => Volatile.Read(ref _bridge) is not null;

    /// <summary>
    /// A guest program connected to <c>/run/aegis/control.sock</c> inside: the host side connects to the sandbox's
    /// control channel as that program would on bwrap, and relays its lines both ways through the agent.
    /// </summary>
    private async Task OpenBridgeAsync()
    {
        CloseBridge();
        var bridge = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await bridge.ConnectAsync(new UnixDomainSocketEndPoint(_paths.Control));
        }
        catch (SocketException)
        {
            bridge.Dispose();
            return;
        }

        lock (_bridgeGate)
        {
            _bridge = bridge;
        }

        _ = RelayFromHostAsync(bridge);
    }

    private void CloseBridge()
    {
        Socket? bridge;
        lock (_bridgeGate)
        {
            bridge = _bridge;
            _bridge = null;
        }

        bridge?.Dispose();
    }

    private async Task WriteBridgeAsync(string line)
    {
        var bridge = Volatile.Read(ref _bridge);
        if (bridge is null)
        {
            return;
        }

        try
        {
            await bridge.SendAsync(Encoding.UTF8.GetBytes(line.Replace('\n', ' ') + "\n"), SocketFlags.None);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The host side dropped it (a line it refused); the guest's next connection gets a new bridge.
        }
    }

    private async Task RelayFromHostAsync(Socket bridge)
    {
        try
        {
            using var stream = new NetworkStream(bridge, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                await _link.SendAsync(new JsonObject { ["type"] = "control", ["line"] = line });
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
        }
    }
}
