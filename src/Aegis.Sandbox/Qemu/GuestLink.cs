using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Aegis.Sandbox.Qemu;

/// <summary>
/// The host end of the virtio-serial port <c>aegis.agent</c>: a unix socket the host listens on and QEMU connects to
/// as its chardev, before any guest code runs. Newline-delimited JSON with the guest agent (images/qemu/README.md).
/// Lines from the guest are untrusted: anything malformed is dropped. One writer lock, one read loop.
/// </summary>
internal sealed class GuestLink : IAsyncDisposable
{
    private const int MaxLineBytes = 256 * 1024;
    private readonly Socket _listener;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TaskCompletionSource<Socket> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Func<JsonObject, Task> _onMessage = _ => Task.CompletedTask;
    private Task _readLoop = Task.CompletedTask;

    private GuestLink(Socket listener)
    {
        _listener = listener;
    }

    public static GuestLink Listen(string path)
    {
        return new GuestLink(UnixSockets.Listen(path));
    }

    /// <summary>Accepts QEMU's connection in the background and hands every guest message to <paramref name="onMessage"/>.</summary>
    public void Start(Func<JsonObject, Task> onMessage)
    {
        _onMessage = onMessage;
        _readLoop = RunAsync();
    }

    public async Task<bool> SendAsync(JsonObject message, CancellationToken cancellationToken = default)
    {
        var socket = await _connected.Task.WaitAsync(cancellationToken);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString() + "\n"), SocketFlags.None, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        if (_connected.Task.IsCompletedSuccessfully)
        {
            _connected.Task.Result.Dispose();
        }

        _connected.TrySetCanceled();
        await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        Socket socket;
        try
        {
            socket = await _listener.AcceptAsync(_stop.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            return;
        }

        _connected.TrySetResult(socket);
        var buffer = new byte[16 * 1024];
        var line = new MemoryStream();
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        continue;
                    }

                    line.Write(buffer, start, i - start);
                    await DispatchAsync(line.GetBuffer().AsMemory(0, (int)line.Length));
                    line.SetLength(0);
                    start = i + 1;
                }

                line.Write(buffer, start, read - start);
                if (line.Length > MaxLineBytes)
                {
                    line.SetLength(0);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The VMM exited.
        }
    }

    private async Task DispatchAsync(ReadOnlyMemory<byte> line)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(line.Span) as JsonObject;
        }
        catch (JsonException)
        {
            return;
        }

        if (message?["type"] is JsonValue type && type.TryGetValue<string>(out _))
        {
            await _onMessage(message);
        }
    }
}
