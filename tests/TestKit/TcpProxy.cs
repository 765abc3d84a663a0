using System.Net;
using System.Net.Sockets;

namespace Famiglia.TestKit;

/// <summary>
/// A loopback TCP relay between clients and a real server, for testing what a network does to a
/// connection: cut every connection abruptly, refuse new ones for a while, or inject bytes towards
/// the client as if the server had sent them.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Pair> _pairs = [];
    private readonly Task _acceptLoop;
    private volatile bool _accepting = true;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>Connections accepted and relayed so far.</summary>
    public int ConnectionsAccepted { get; private set; }

    /// <summary>When false, new connections are closed at once (the server looks unreachable).</summary>
    public bool Accepting
    {
        get => _accepting;
        set => _accepting = value;
    }

    /// <summary>Resets every open connection, both sides, like a dropped network path.</summary>
    public void CutAll()
    {
        lock (_pairs)
        {
            foreach (var pair in _pairs)
            {
                pair.Abort();
            }

            _pairs.Clear();
        }
    }

    /// <summary>Writes bytes to every connected client as if the server had sent them.</summary>
    public async Task InjectToClientsAsync(byte[] bytes)
    {
        Pair[] pairs;
        lock (_pairs)
        {
            pairs = [.. _pairs];
        }

        foreach (var pair in pairs)
        {
            await pair.WriteToClientAsync(bytes, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _acceptLoop.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            if (!_accepting)
            {
                client.Close(0);
                continue;
            }

            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                client.Close(0);
                server.Dispose();
                continue;
            }

            client.NoDelay = true;
            var pair = new Pair(client, server);
            lock (_pairs)
            {
                _pairs.Add(pair);
            }

            ConnectionsAccepted++;
            pair.Start(() =>
            {
                lock (_pairs)
                {
                    _pairs.Remove(pair);
                }
            });
        }
    }

    private sealed class Pair(Socket client, Socket server)
    {
        private readonly SemaphoreSlim _clientWrite = new(1, 1);
        private int _closed;

        public void Start(Action onClosed)
        {
            _ = Task.Run(async () =>
            {
                await Task.WhenAny(RelayAsync(client, server, null), RelayAsync(server, client, _clientWrite));
                Abort();
                onClosed();
            });
        }

        public async Task WriteToClientAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            await _clientWrite.WaitAsync(cancellationToken);
            try
            {
                await client.SendAsync(bytes, SocketFlags.None, cancellationToken);
            }
            finally
            {
                _clientWrite.Release();
            }
        }

        public void Abort()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            // Linger 0: the peers see a reset, as when a network path dies, not a polite close.
            client.Close(0);
            server.Close(0);
        }

        private static async Task RelayAsync(Socket from, Socket to, SemaphoreSlim? writeLock)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    if (writeLock is not null)
                    {
                        await writeLock.WaitAsync();
                    }

                    try
                    {
                        await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                    }
                    finally
                    {
                        writeLock?.Release();
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // One side went away.
            }
        }
    }
}
