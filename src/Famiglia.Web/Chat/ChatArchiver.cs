using System.Collections.Concurrent;
using Famiglia.Web.Spaces;
using Famiglia.Xmpp;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Chat;

/// <summary>
/// famiglia-web's own occupant (<c>@s:famiglia@{host}</c>, owner of every room): stores every groupchat message once as a
/// <see cref="Message"/> (unique on room + stanza-id) and pushes it to the room's browsers. While it is connected the
/// library's catch-up after a reconnect fills any gap; when it enters a room (at startup, or again after being put out),
/// it fetches from the room's archive what came after the newest stored message.
/// </summary>
internal sealed partial class ChatArchiver(
    XmppClientFactory clients,
    ServiceAccount service,
    ChatAddresses addresses,
    IDbContextFactory<FamigliaDbContext> db,
    ChatNotifier notifier,
    ChatProvisioner provisioner,
    Agents.AgentWaker waker,
    ILogger<ChatArchiver> logger) : IAsyncDisposable
{
    private static readonly TimeSpan CatchUpOverlap = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, MucRoom> _rooms = new(StringComparer.Ordinal);
    private XmppClient? _client;
    private volatile bool _disposed;

    /// <summary>True while the archiver is an occupant of the room.</summary>
    public bool IsInRoom(string roomId) => _rooms.TryGetValue(roomId, out var room) && room.IsJoined;

    /// <summary>Connects if needed and enters every room of the database it is not in yet, catching up on each from its archive.
    /// Throws when some room could not be entered, after trying all of them.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        XmppClient? history = null;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var client = await ConnectedClientAsync(cancellationToken);
            List<ArchivedRoom> rooms;
            await using (var context = await db.CreateDbContextAsync(cancellationToken))
            {
                rooms = (await context.Rooms.OrderBy(r => r.Id).Select(r => new { r.Id, r.Slug, GroupSlug = r.Group!.Slug }).ToListAsync(cancellationToken))
                    .Select(r => new ArchivedRoom(r.Id, addresses.RoomJid(r.Slug, r.GroupSlug)))
                    .Where(r => !_rooms.ContainsKey(r.Id))
                    .ToList();
            }

            var failed = 0;
            foreach (var room in rooms)
            {
                // Never the first to enter: entering a missing room would create it with default options (not members-only).
                await provisioner.EnsureRoomOnceAsync(room.Id, cancellationToken);
                var since = await NewestStoredAsync(room.Id, cancellationToken);
                try
                {
                    await JoinAsync(client, room, cancellationToken);
                }
                catch (MucJoinException ex)
                {
                    JoinFailed(logger, room.Jid.ToString(), ex.Condition);
                    failed++;
                    continue;
                }

                history ??= await ConnectHistoryClientAsync(cancellationToken);
                await CatchUpAsync(history, room, since - CatchUpOverlap, cancellationToken);
            }

            if (failed > 0)
            {
                throw new XmppException($"The archiver could not enter {failed} room(s).");
            }
        }
        finally
        {
            _gate.Release();
            if (history is not null)
            {
                await history.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _gate.WaitAsync();
        try
        {
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

    private async Task<XmppClient> ConnectedClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { State: not XmppConnectionState.Disconnected } live)
        {
            return live;
        }

        if (_client is not null)
        {
            _client.StateChanged -= OnStateChanged;
            await _client.DisposeAsync();
            _client = null;
            _rooms.Clear();
        }

        // A client that fails to connect keeps the handler, which ignores every client but _client.
        _client = await clients.ConnectAsync(ChatAddresses.ServiceUser, service.Password, "archiver", cancellationToken,
            beforeConnect: client => client.StateChanged += OnStateChanged);
        Connected(logger, addresses.ServiceJid);
        return _client;
    }

    private async Task JoinAsync(XmppClient client, ArchivedRoom room, CancellationToken cancellationToken)
    {
        // Handlers before the join, so no message between our entry and their registration is missed.
        var muc = await client.JoinRoomAsync(room.Jid, addresses.ServiceNick, beforeJoin: joining =>
        {
            joining.OnMessage(message => StoreAsync(room.Id, message));
            joining.OnEvent(roomEvent => OnRoomEventAsync(room, joining, roomEvent));
        }, cancellationToken: cancellationToken);
        _rooms[room.Id] = muc;
    }

    private Task OnRoomEventAsync(ArchivedRoom room, MucRoom muc, MucRoomEvent roomEvent)
    {
        if (roomEvent.Kind is MucRoomEventKind.RejoinFailed or MucRoomEventKind.Kicked or MucRoomEventKind.Banned
            or MucRoomEventKind.RemovedFromMembersOnly or MucRoomEventKind.Destroyed)
        {
            // Out of the room: provision it again and re-enter (with catch-up) in the background.
            _rooms.TryRemove(new KeyValuePair<string, MucRoom>(room.Id, muc));
            LeftRoom(logger, room.Jid.ToString(), roomEvent.Kind, roomEvent.Reason);
            provisioner.RequestSync();
        }

        return Task.CompletedTask;
    }

    private void OnStateChanged(object? sender, XmppStateChange change)
    {
        if (!ReferenceEquals(sender, _client) || _disposed)
        {
            return;
        }

        if (change.Error is { } error)
        {
            ConnectionChangedWithError(logger, change.From, change.To, error.Message);
        }
        else
        {
            ConnectionChanged(logger, change.From, change.To);
        }

        if (change.To == XmppConnectionState.Disconnected)
        {
            provisioner.RequestSync();
        }
    }

    /// <summary>Stores the message unless it is stored already, then pushes it. Never throws: it runs on the room's dispatcher.</summary>
    private async Task StoreAsync(string roomId, RoomMessage message)
    {
        try
        {
            await using var context = await db.CreateDbContextAsync();
            if (message.StanzaId is null)
            {
                NoStanzaId(logger, message.Room.ToString());
            }
            else if (await context.Messages.AnyAsync(m => m.RoomId == roomId && m.StanzaId == message.StanzaId))
            {
                return;
            }

            var author = message.Nick.StartsWith("@u:", StringComparison.Ordinal)
                ? await context.Users.Where(u => u.Handle == message.Nick).Select(u => new { u.Id, u.DisplayName }).FirstOrDefaultAsync()
                : null;
            var stored = new Message
            {
                RoomId = roomId,
                AuthorId = author?.Id,
                AuthorNick = message.Nick,
                Body = message.Body,
                Thread = message.Thread,
                StanzaId = message.StanzaId,
                CreatedAt = message.Timestamp.UtcDateTime,
            };
            context.Messages.Add(stored);
            try
            {
                await context.SaveChangesAsync();
            }
            catch (DbUpdateException) when (message.StanzaId is not null)
            {
                if (await StoredAsync(roomId, message.StanzaId))
                {
                    return; // the live room and an archive catch-up raced; the other one stored it
                }

                throw;
            }

            // A person wrote (agents' nicks are @s:…): the agents it is for wake if they sleep. An agent wrote: those it
            // mentions wake (their harness delivers an agent's message that mentions them).
            if (!stored.AuthorNick.StartsWith("@s:", StringComparison.Ordinal))
            {
                waker.Written(roomId, stored.Thread);
            }
            else if (stored.Body.Contains('@', StringComparison.Ordinal))
            {
                waker.Mentioned(roomId, stored.Thread, stored.Body, stored.AuthorNick);
            }

            var agentName = ChatAddresses.AgentUser(stored.AuthorNick) is { } agentUser
                ? await context.AgentConfigs.Where(a => a.XmppUser == agentUser).Select(a => a.Name).FirstOrDefaultAsync()
                : null;
            await notifier.MessageAsync(new ChatMessage(stored.Id, roomId, stored.AuthorNick,
                author?.DisplayName ?? agentName ?? ChatAddresses.NameOfNick(stored.AuthorNick), stored.Body, stored.Thread, stored.CreatedAt));
        }
        catch (Exception ex)
        {
            StoreFailed(logger, message.Room.ToString(), message.StanzaId, ex);
        }
    }

    private async Task<bool> StoredAsync(string roomId, string stanzaId)
    {
        await using var context = await db.CreateDbContextAsync();
        return await context.Messages.AnyAsync(m => m.RoomId == roomId && m.StanzaId == stanzaId);
    }

    private async Task<DateTime?> NewestStoredAsync(string roomId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Messages.Where(m => m.RoomId == roomId).MaxAsync(m => (DateTime?)m.CreatedAt, cancellationToken);
    }

    private sealed record ArchivedRoom(string Id, Jid Jid);

    [LoggerMessage(1, LogLevel.Information, "The archiver is connected as {Jid}")]
    private static partial void Connected(ILogger logger, string jid);

    [LoggerMessage(2, LogLevel.Information, "The archiver's XMPP connection went from {From} to {To}")]
    private static partial void ConnectionChanged(ILogger logger, XmppConnectionState from, XmppConnectionState to);

    [LoggerMessage(3, LogLevel.Warning, "The archiver's XMPP connection went from {From} to {To}: {Reason}")]
    private static partial void ConnectionChangedWithError(ILogger logger, XmppConnectionState from, XmppConnectionState to, string reason);

    [LoggerMessage(4, LogLevel.Warning, "The archiver could not enter room {Room}: {Condition}")]
    private static partial void JoinFailed(ILogger logger, string room, string condition);

    [LoggerMessage(5, LogLevel.Warning, "The archiver is out of room {Room} ({Kind}: {Reason}); it will enter again")]
    private static partial void LeftRoom(ILogger logger, string room, MucRoomEventKind kind, string? reason);

    [LoggerMessage(6, LogLevel.Warning, "A message in room {Room} has no stanza-id (is MAM off?); it is stored without one and cannot be de-duplicated")]
    private static partial void NoStanzaId(ILogger logger, string room);

    [LoggerMessage(7, LogLevel.Error, "Storing a message of room {Room} (stanza-id {StanzaId}) failed")]
    private static partial void StoreFailed(ILogger logger, string room, string? stanzaId, Exception exception);
}
