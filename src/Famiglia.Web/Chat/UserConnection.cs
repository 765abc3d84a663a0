using System.Collections.Concurrent;
using Famiglia.Xmpp;

namespace Famiglia.Web.Chat;

/// <summary>One user's XMPP connection (account <c>{localpart}@{host}</c>) and the rooms it has entered with the user's handle as nick.</summary>
internal sealed class UserConnection(string userId, string handle, ChatProvisioner provisioner, XmppClientFactory clients) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, MucRoom> _rooms = new(StringComparer.Ordinal);
    private XmppClient? _client;
    private long _lastUsedTicks;
    private bool _disposed;

    public string UserId => userId;

    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);

    /// <summary>The room, entered on first use. Throws <see cref="ObjectDisposedException"/> once the connection was closed for idleness.</summary>
    public async Task<MucRoom> RoomAsync(string roomId, Jid roomJid, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var client = await ClientAsync(cancellationToken);
            if (_rooms.TryGetValue(roomId, out var joined))
            {
                return joined;
            }

            // Provisioned before the first entry: entering a missing room would create it with default options.
            await provisioner.EnsureRoomOnceAsync(roomId, cancellationToken);
            MucRoom room;
            try
            {
                room = await client.JoinRoomAsync(roomJid, handle, cancellationToken: cancellationToken);
            }
            catch (MucJoinException ex) when (ex.Condition is "registration-required" or "item-not-found" or "not-allowed")
            {
                // Made a participant (or the room was removed) since it was last provisioned.
                await provisioner.EnsureRoomAsync(roomId, cancellationToken);
                room = await client.JoinRoomAsync(roomJid, handle, cancellationToken: cancellationToken);
            }

            room.OnEvent(roomEvent =>
            {
                if (roomEvent.Kind is MucRoomEventKind.RejoinFailed or MucRoomEventKind.Kicked or MucRoomEventKind.Banned
                    or MucRoomEventKind.RemovedFromMembersOnly or MucRoomEventKind.Destroyed)
                {
                    _rooms.TryRemove(new KeyValuePair<string, MucRoom>(roomId, room));
                }

                return Task.CompletedTask;
            });
            _rooms[roomId] = room;
            return room;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            _rooms.Clear();
            if (_client is not null)
            {
                await _client.DisposeAsync();
                _client = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<XmppClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { State: not XmppConnectionState.Disconnected } live)
        {
            return live;
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
            _client = null;
            _rooms.Clear();
        }

        var account = await provisioner.AccountAsync(userId, cancellationToken);
        try
        {
            _client = await clients.ConnectAsync(account.User, account.Password, "web-" + Guid.NewGuid().ToString("N")[..8], cancellationToken);
        }
        catch (XmppAuthenticationException)
        {
            // The account is missing or has another password (e.g. ejabberd's data was reset): register it again.
            account = await provisioner.EnsureUserAsync(userId, cancellationToken);
            _client = await clients.ConnectAsync(account.User, account.Password, "web-" + Guid.NewGuid().ToString("N")[..8], cancellationToken);
        }

        return _client;
    }
}
