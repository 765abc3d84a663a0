using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// A QEMU Machine Protocol connection over the VMM's unix socket: newline-delimited JSON, one command at a time
/// (commands are serialized by a lock; one read loop completes the pending one and drops events).
/// </summary>
internal sealed class QmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly SemaphoreSlim _commandLock = new(1, 1);
    private readonly Task _readLoop;
    private TaskCompletionSource<JsonNode?>? _pending;

    private QmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
        _readLoop = ReadLoopAsync();
    }

    /// <summary>Connects (retrying while QEMU creates the socket), reads the greeting and leaves capabilities negotiation.</summary>
    public static async Task<QmpClient> ConnectAsync(string path, Func<bool> vmmAlive, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                var greeting = await ReadLineAsync(socket, cancellationToken);
                if (!greeting.Contains("\"QMP\"", StringComparison.Ordinal))
                {
                    throw new SandboxException($"Unexpected QMP greeting: {greeting}");
                }

                var client = new QmpClient(socket);
                await client.ExecuteAsync("qmp_capabilities", null, cancellationToken);
                return client;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && vmmAlive())
            {
                socket.Dispose();
                await Task.Delay(20, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Runs one command; returns its <c>return</c> value.</summary>
    /// <exception cref="SandboxException">QEMU answered with an error or the connection is gone.</exception>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments, CancellationToken cancellationToken = default)
    {
        await _commandLock.WaitAsync(cancellationToken);
        try
        {
            var pending = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pending, pending);
            var message = new JsonObject { ["execute"] = command };
            if (arguments is not null)
            {
                message["arguments"] = arguments;
            }

            try
            {
                await _stream.WriteAsync(Encoding.UTF8.GetBytes(message.ToJsonString() + "\n"), cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
            {
                throw new SandboxException($"QMP {command}: the VMM is gone", exception);
            }

            return await pending.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _pending, null);
            _commandLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _reader.Dispose();
        _commandLock.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        await Task.Yield();
        try
        {
            while (await _reader.ReadLineAsync() is { } line)
            {
                var message = JsonNode.Parse(line)?.AsObject();
                if (message is null || message.ContainsKey("event"))
                {
                    continue;
                }

                var pending = Volatile.Read(ref _pending);
                if (message["error"] is JsonObject error)
                {
                    pending?.TrySetException(new SandboxException($"QMP: {error["class"]}: {error["desc"]}"));
                }
                else
                {
                    pending?.TrySetResult(message["return"]);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or JsonException)
        {
            // The VMM exited.
        }

        Volatile.Read(ref _pending)?.TrySetException(new SandboxException("QMP: the VMM closed the connection"));
    }

    /// <summary>Reads the greeting byte by byte, so nothing past its newline is taken from the stream reader to come.</summary>
    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 1 && one[0] != (byte)'\n')
        {
            line.Add(one[0]);
        }

        return Encoding.UTF8.GetString([.. line]);
    }
}
