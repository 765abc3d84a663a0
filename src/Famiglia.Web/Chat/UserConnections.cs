using System.Collections.Concurrent;
using Famiglia.Xmpp;

namespace Famiglia.Web.Chat;

/// <summary>
/// The pool of users' XMPP connections, keyed by user: created on a user's first message, closed after
/// <see cref="IdleTimeout"/> without one. The archiver, not these, reads the rooms.
/// </summary>
internal sealed partial class UserConnections : IAsyncDisposable
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, UserConnection> _connections = new(StringComparer.Ordinal);
    private readonly ChatProvisioner _provisioner;
    private readonly XmppClientFactory _clients;
    private readonly TimeProvider _time;
    private readonly ILogger<UserConnections> _logger;
    private readonly ITimer _sweeper;

    public UserConnections(ChatProvisioner provisioner, XmppClientFactory clients, TimeProvider time, ILogger<UserConnections> logger)
    {
        _provisioner = provisioner;
        _clients = clients;
        _time = time;
        _logger = logger;
        _sweeper = time.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>Users with an open connection.</summary>
    public int Count => _connections.Count;

    public bool IsConnected(string userId) => _connections.ContainsKey(userId);

    /// <summary>The user's connection's occupancy of the room, connecting and entering as needed.</summary>
    public async Task<MucRoom> RoomAsync(string userId, string handle, string roomId, Jid roomJid, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var connection = _connections.GetOrAdd(userId, id => new UserConnection(id, handle, _provisioner, _clients));
            connection.Touch(_time.GetUtcNow());
            try
            {
                return await connection.RoomAsync(roomId, roomJid, cancellationToken);
            }
            catch (ObjectDisposedException) when (attempt == 0)
            {
                // Closed for idleness just now; the next round makes a new one.
            }
        }
    }

    /// <summary>Closes the connections idle for <see cref="IdleTimeout"/> or longer (runs every minute).</summary>
    public async Task SweepAsync()
    {
        var now = _time.GetUtcNow();
        foreach (var (userId, connection) in _connections)
        {
            if (now - connection.LastUsed >= IdleTimeout && _connections.TryRemove(new KeyValuePair<string, UserConnection>(userId, connection)))
            {
                try
                {
                    await connection.DisposeAsync();
                    Closed(_logger, userId);
                }
                catch (Exception ex)
                {
                    CloseFailed(_logger, userId, ex);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sweeper.DisposeAsync();
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync();
        }

        _connections.Clear();
    }

    [LoggerMessage(1, LogLevel.Debug, "Closed the idle XMPP connection of user {UserId}")]
    private static partial void Closed(ILogger logger, string userId);

    [LoggerMessage(2, LogLevel.Warning, "Closing the XMPP connection of user {UserId} failed")]
    private static partial void CloseFailed(ILogger logger, string userId, Exception exception);
}
