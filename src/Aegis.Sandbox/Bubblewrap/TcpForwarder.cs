using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Bubblewrap;

/// <summary>
/// Relays TCP connections from one listening endpoint (the sandbox's host-side veth address and an internal host's
/// port) to a target on the host. Plain sockets, one relay task per connection; no idle timeout, because sandboxes
/// hold long-lived connections (XMPP). Disposing stops listening and cuts every relayed connection.
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly string _instanceId;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Socket> _sockets = [];
    private readonly List<Task> _relays = [];
    private readonly Task _acceptLoop;

    private TcpForwarder(Socket listener, IPEndPoint target, string instanceId, ILogger logger)
    {
        _listener = listener;
        _target = target;
        _instanceId = instanceId;
        _logger = logger;
        Listen = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint Listen { get; }

    public IPEndPoint Target => _target;

    /// <summary>Binds <paramref name="listen"/> and starts relaying to <paramref name="target"/>.</summary>
    /// <exception cref="SandboxException">The endpoint cannot be bound.</exception>
    public static TcpForwarder Start(IPEndPoint listen, IPEndPoint target, string instanceId, ILogger logger)
    {
        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(listen);
            listener.Listen(64);
        }
        catch (SocketException exception)
        {
            listener.Dispose();
            throw new SandboxException($"Could not listen on {listen} for an internal host: {exception.SocketErrorCode}", exception);
        }

        BubblewrapLog.ForwarderStarted(logger, instanceId, listen, target);
        return new TcpForwarder(listener, target, instanceId, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Task[] relays;
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            _sockets.Clear();
            relays = [.. _relays];
        }

        await Task.WhenAll([_acceptLoop, .. relays]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            lock (_sockets)
            {
                if (_stop.IsCancellationRequested)
                {
                    client.Dispose();
                    return;
                }

                _sockets.Add(client);
                _relays.RemoveAll(t => t.IsCompleted);
                _relays.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        lock (_sockets)
        {
            _sockets.Add(server);
        }

        try
        {
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (SocketException exception)
            {
                // The guest sees the refusal as a closed connection; the service on the host is down.
                BubblewrapLog.ForwardFailed(_logger, _instanceId, _target, exception.SocketErrorCode);
                return;
            }

            client.NoDelay = true;
            server.NoDelay = true;
            await Task.WhenAll(PumpAsync(client, server, _stop.Token), PumpAsync(server, client, _stop.Token));
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Either side went away or the forwarder stops.
        }
        finally
        {
            lock (_sockets)
            {
                _sockets.Remove(client);
                _sockets.Remove(server);
            }

            client.Dispose();
            server.Dispose();
        }
    }

    /// <summary>Copies one direction until its end closes, then half-closes the other side so the peer sees EOF.</summary>
    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // A reset on one side: cut the other one too, as the network would.
            from.Dispose();
            to.Dispose();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
