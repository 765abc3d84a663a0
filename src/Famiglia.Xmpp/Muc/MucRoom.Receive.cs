namespace Famiglia.Xmpp;

public sealed partial class MucRoom
{
    private const int SeenCapacity = 10_000;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();

    /// <summary>Called on the read loop for every presence from this room.</summary>
    internal void OnPresence(PresenceStanza presence)
    {
        var nick = presence.From?.Resource;
        if (nick is null)
        {
            return;
        }

        var codes = StatusCodes(presence);
        if (presence.Type == "error")
        {
            lock (_gate)
            {
                if (nick == Nick && _pendingJoin is { } join)
                {
                    join.TrySetException(new MucJoinException(Jid, Nick, presence.Error!));
                }
            }

            return;
        }

        // Status 110 marks our own presence, but not every server sets it on every kind (ejabberd omits it
        // on destruction). Our nick is ours alone in the room, so its presence is about us.
        var isSelf = codes.Contains(110) || nick == Nick;
        if (isSelf)
        {
            OnOwnPresence(presence, codes);
            return;
        }

        var item = presence.Element.Element(Ns.MucUser + "x")?.Element(Ns.MucUser + "item");
        if (presence.IsUnavailable)
        {
            if (_occupants.TryRemove(nick, out _))
            {
                RaiseEvent(new MucRoomEvent(MucRoomEventKind.OccupantLeft, Nick: nick));
            }

            return;
        }

        var occupant = new MucOccupant(
            nick,
            Jid.TryParse(item?.Attribute("jid")?.Value, out var real) ? real : null,
            item?.Attribute("affiliation")?.Value ?? "none",
            item?.Attribute("role")?.Value ?? "participant");
        if (_occupants.TryAdd(nick, occupant))
        {
            RaiseEvent(new MucRoomEvent(MucRoomEventKind.OccupantJoined, Nick: nick));
        }
        else
        {
            _occupants[nick] = occupant;
        }
    }

    /// <summary>Called on the read loop for every message from this room (live and archived).</summary>
    internal void OnMessage(MessageStanza message)
    {
        if (message.Element.Element(Ns.Mam + "result") is { } result)
        {
            OnArchiveResult(result);
            return;
        }

        if (message.Type == "error")
        {
            RaiseEvent(new MucRoomEvent(MucRoomEventKind.Error, message.Error?.ToString()));
            return;
        }

        if (message.Type != "groupchat" || message.Body is null || message.From?.Resource is not { } nick)
        {
            return; // subjects, private messages, room notices
        }

        var roomMessage = new RoomMessage(Jid, nick, message.Body, message.Thread, message.StanzaIdBy(Jid), message.OriginId,
            message.Delay ?? _client.Time.GetUtcNow(), nick == Nick, FromArchive: false);
        lock (_gate)
        {
            if (_catchingUp)
            {
                _liveDuringCatchUp.Add(roomMessage);
                return;
            }

            Deliver(roomMessage);
        }
    }

    private void OnOwnPresence(PresenceStanza presence, HashSet<int> codes)
    {
        if (!presence.IsUnavailable)
        {
            lock (_gate)
            {
                _pendingJoin?.TrySetResult(presence);
            }

            return;
        }

        _joined = false;
        if (_pendingLeave is { } leave)
        {
            leave.TrySetResult();
            return;
        }

        var x = presence.Element.Element(Ns.MucUser + "x");
        var reason = x?.Element(Ns.MucUser + "item")?.Element(Ns.MucUser + "reason")?.Value;
        MucRoomEvent? roomEvent = null;
        if (x?.Element(Ns.MucUser + "destroy") is { } destroy)
        {
            roomEvent = new MucRoomEvent(MucRoomEventKind.Destroyed, destroy.Element(Ns.MucUser + "reason")?.Value,
                AlternateRoom: Jid.TryParse(destroy.Attribute("jid")?.Value, out var alternate) ? alternate : null);
        }
        else if (codes.Contains(301))
        {
            roomEvent = new MucRoomEvent(MucRoomEventKind.Banned, reason);
        }
        else if (codes.Contains(307))
        {
            roomEvent = new MucRoomEvent(MucRoomEventKind.Kicked, reason);
        }
        else if (codes.Contains(321) || codes.Contains(322))
        {
            roomEvent = new MucRoomEvent(MucRoomEventKind.RemovedFromMembersOnly, reason);
        }

        if (roomEvent is not null)
        {
            // The room put us out on purpose: do not rejoin behind its back.
            _client.RemoveRoom(this);
            XmppLog.RoomEvent(_client.Logger, Jid, roomEvent.Kind, roomEvent.Reason);
            RaiseEvent(roomEvent);
        }
    }

    /// <summary>Hands a message to the handlers unless it was seen before. Called under <see cref="_gate"/>.</summary>
    private void Deliver(RoomMessage message)
    {
        if (message.StanzaId is { } id)
        {
            if (!_seen.Add(id))
            {
                return;
            }

            _seenOrder.Enqueue(id);
            if (_seenOrder.Count > SeenCapacity)
            {
                _seen.Remove(_seenOrder.Dequeue());
            }

            LastStanzaId = id;
        }

        _syncedAt = message.Timestamp;
        if (message.IsOwn && !_client.Options.DeliverOwnMessages)
        {
            return;
        }

        Func<RoomMessage, Task>[] handlers;
        lock (_messageHandlers)
        {
            handlers = [.. _messageHandlers];
        }

        foreach (var handler in handlers)
        {
            _dispatcher.Post(() => handler(message));
        }
    }
}
