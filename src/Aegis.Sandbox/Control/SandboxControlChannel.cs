using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Aegis.Sandbox.Control;

/// <summary>
/// The host end of a sandbox's control channel: a unix socket the host listens on and the backend makes visible to
/// the guest (bwrap: bind-mounted at <see cref="GuestPath"/>). Newline-delimited JSON, one object per line; the
/// protocol is in docs/control-channel.md. One guest connection at a time: a new one replaces the old. Outgoing
/// lines are serialized by one lock; one read loop per connection handles every incoming line.
/// </summary>
internal sealed partial class SandboxControlChannel : IAsyncDisposable
{
    /// <summary>Where the guest finds the socket.</summary>
    public const string GuestPath = "/run/aegis/control.sock";

    /// <summary>Longest line accepted from the guest; a longer one drops the connection.</summary>
    private const int MaxLineBytes = 64 * 1024;

    private readonly Socket _listener;
    private readonly string _instanceId;
    private readonly Func<string, string, Task> _onLog;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<TaskCompletionSource<SandboxHealth>> _healthWaiters = [];
    private readonly Task _acceptLoop;
    private Socket? _connection;
    private Task _readLoop = Task.CompletedTask;

    private SandboxControlChannel(Socket listener, string path, string instanceId, Func<string, string, Task> onLog, ILogger logger)
    {
        _listener = listener;
        Path = path;
        _instanceId = instanceId;
        _onLog = onLog;
        _logger = logger;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The socket's path on the host.</summary>
    public string Path { get; }

    public bool Connected => Volatile.Read(ref _connection) is not null;

    /// <summary>Creates the socket at <paramref name="path"/> and starts accepting the guest.</summary>
    /// <param name="onLog">Receives each <c>log</c> message as (level, message).</param>
    public static SandboxControlChannel Listen(string path, string instanceId, Func<string, string, Task> onLog, ILogger logger)
    {
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(4);
        }
        catch (SocketException exception)
        {
            listener.Dispose();
            throw new SandboxException($"Could not create the control socket {path}: {exception.SocketErrorCode}", exception);
        }

        return new SandboxControlChannel(listener, path, instanceId, onLog, logger);
    }

    /// <summary>Sends <c>health</c> and waits for the answer; null when no guest is connected or none came in time.</summary>
    public async Task<SandboxHealth?> QueryHealthAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource<SandboxHealth>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _healthWaiters.Add(waiter);
        }

        try
        {
            if (!await TrySendAsync(new { type = "health" }, cancellationToken))
            {
                return null;
            }

            return await waiter.Task.WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            lock (_gate)
            {
                _healthWaiters.Remove(waiter);
            }
        }
    }

    /// <summary>Sends <c>shutdown</c>; false when no guest is connected.</summary>
    public Task<bool> RequestShutdownAsync(TimeSpan grace, CancellationToken cancellationToken = default) =>
        TrySendAsync(new { type = "shutdown", graceSeconds = (int)Math.Ceiling(grace.TotalSeconds) }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Socket? connection;
        lock (_gate)
        {
            connection = _connection;
            _connection = null;
        }

        connection?.Dispose();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        File.Delete(Path);
        _stop.Dispose();
    }

    private async Task<bool> TrySendAsync(object message, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(message);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var connection = Volatile.Read(ref _connection);
            if (connection is null)
            {
                return false;
            }

            try
            {
                await connection.SendAsync(line, SocketFlags.None, cancellationToken);
                await connection.SendAsync("\n"u8.ToArray(), SocketFlags.None, cancellationToken);
                return true;
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                Drop(connection);
                return false;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            Socket? previous;
            Task previousLoop;
            lock (_gate)
            {
                previous = _connection;
                previousLoop = _readLoop;
                _connection = connection;
                _readLoop = ReadLoopAsync(connection, previousLoop);
            }

            previous?.Dispose();
            GuestConnected(_logger, _instanceId);
        }
    }

    private async Task ReadLoopAsync(Socket connection, Task previousLoop)
    {
        await previousLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var buffer = new byte[8 * 1024];
        var line = new MemoryStream();
        try
        {
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        continue;
                    }

                    line.Write(buffer, start, i - start);
                    await HandleLineAsync(line.GetBuffer().AsMemory(0, (int)line.Length));
                    line.SetLength(0);
                    start = i + 1;
                }

                line.Write(buffer, start, read - start);
                if (line.Length > MaxLineBytes)
                {
                    GuestMisbehaved(_logger, _instanceId, "a line longer than 64 KiB");
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The guest closed or the sandbox is going away.
        }
        finally
        {
            Drop(connection);
        }
    }

    private async Task HandleLineAsync(ReadOnlyMemory<byte> line)
    {
        string? type;
        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(line);
            message = document.RootElement.Clone();
            type = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
        }
        catch (JsonException)
        {
            GuestMisbehaved(_logger, _instanceId, "a line that is not JSON");
            return;
        }

        switch (type)
        {
            case "health":
                var ok = message.TryGetProperty("ok", out var okValue) && okValue.ValueKind == JsonValueKind.True;
                var detail = message.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                TaskCompletionSource<SandboxHealth>[] waiters;
                lock (_gate)
                {
                    waiters = [.. _healthWaiters];
                }

                foreach (var waiter in waiters)
                {
                    waiter.TrySetResult(new SandboxHealth(ok, detail));
                }

                break;

            case "log":
                var level = message.TryGetProperty("level", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()! : "info";
                var text = message.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                await _onLog(level, text);
                break;

            default:
                // Unknown types are ignored, so a newer guest works with an older host.
                break;
        }
    }

    private void Drop(Socket connection)
    {
        lock (_gate)
        {
            if (_connection == connection)
            {
                _connection = null;
            }
        }

        connection.Dispose();
    }

    /// <summary>How a guest log line appears in the sandbox's log: one line, control characters flattened.</summary>
    public static string FormatLog(string level, string message)
    {
        var text = new StringBuilder("[guest ");
        foreach (var c in level.Length > 16 ? level[..16] : level)
        {
            text.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        text.Append("] ");
        foreach (var c in message)
        {
            text.Append(char.IsControl(c) ? ' ' : c);
        }

        return text.Append('\n').ToString();
    }

    [LoggerMessage(20, LogLevel.Debug, "Sandbox {InstanceId}: guest connected to the control channel")]
    private static partial void GuestConnected(ILogger logger, string instanceId);

    [LoggerMessage(21, LogLevel.Warning, "Sandbox {InstanceId}: the guest sent {What} on the control channel")]
    private static partial void GuestMisbehaved(ILogger logger, string instanceId, string what);
}
