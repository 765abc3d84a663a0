using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Aegis.GuestAgent;

/// <summary>
/// The guest end of the control channel: <c>/run/aegis/control.sock</c>, as on bwrap. Each line a guest program writes
/// goes to the host as a <c>control</c> message, and the host's lines come back the same way; <c>control-open</c> and
/// <c>control-close</c> tell the host when a program connects and leaves. One connection at a time: a new one replaces
/// the old, as the host's channel does.
/// </summary>
internal sealed class ControlRelay(Action<Action<Utf8JsonWriter>> send)
{
    private readonly Lock _gate = new();
    private Socket? _connection;

    public bool Connected => Volatile.Read(ref _connection) is not null;

    public void Listen(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110);
        _ = AcceptLoopAsync(listener);
    }

    public void Write(string line)
    {
        var connection = Volatile.Read(ref _connection);
        try
        {
            connection?.Send(Encoding.UTF8.GetBytes(line + "\n"));
        }
        catch (SocketException)
        {
            Drop(connection!);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            var connection = await listener.AcceptAsync();
            Socket? previous;
            lock (_gate)
            {
                previous = _connection;
                _connection = connection;
            }

            if (previous is not null)
            {
                previous.Dispose();
                send(w => w.WriteString("type", "control-close"));
            }

            send(w => w.WriteString("type", "control-open"));
            _ = ReadLoopAsync(connection);
        }
    }

    private async Task ReadLoopAsync(Socket connection)
    {
        try
        {
            using var stream = new NetworkStream(connection, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                if (Volatile.Read(ref _connection) != connection)
                {
                    return;
                }

                send(w =>
                {
                    w.WriteString("type", "control");
                    w.WriteString("line", line);
                });
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
        }

        Drop(connection);
    }

    private void Drop(Socket connection)
    {
        bool current;
        lock (_gate)
        {
            current = _connection == connection;
            if (current)
            {
                _connection = null;
            }
        }

        connection.Dispose();
        if (current)
        {
            send(w => w.WriteString("type", "control-close"));
        }
    }
}
