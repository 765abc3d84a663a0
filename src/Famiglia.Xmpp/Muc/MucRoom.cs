using System.Collections.Concurrent;
using System.Xml.Linq;

namespace Famiglia.Xmpp;

/// <summary>
/// A joined multi-user chat room (XEP-0045). Messages and events reach the handlers in the order the
/// room sent them, on the room's own dispatcher, once each: echoes, archive catch-up and live delivery
/// are de-duplicated by the room's stanza-id.
/// </summary>
public sealed partial class MucRoom : IAsyncDisposable
{
    private readonly XmppClient _client;
    private readonly string? _password;
    private readonly SerialDispatcher _dispatcher;
    private readonly ConcurrentDictionary<string, MucOccupant> _occupants = new(StringComparer.Ordinal);
    private readonly List<Func<RoomMessage, Task>> _messageHandlers = [];
    private readonly List<Func<MucRoomEvent, Task>> _eventHandlers = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource<PresenceStanza>? _pendingJoin;
    private TaskCompletionSource? _pendingLeave;
    private Task _selfPing = Task.CompletedTask;
    private volatile bool _joined;

    internal MucRoom(XmppClient client, Jid jid, string nick, string? password)
    {
        _client = client;
        Jid = jid;
        Nick = nick;
        _password = password;
        _dispatcher = new SerialDispatcher($"room {jid}", HandlerThread.Shared, client.Logger);
    }

    /// <summary>The room's bare JID, e.g. <c>photos.feldmans@conference.dev1.localhost</c>.</summary>
    public Jid Jid { get; }

    /// <summary>Our nick in the room.</summary>
    public string Nick { get; }

    /// <summary>Our full occupant JID, room/nick.</summary>
    public Jid OccupantJid => Jid.WithResource(Nick);

    /// <summary>True while the room counts us as an occupant.</summary>
    public bool IsJoined => _joined;

    /// <summary>The other occupants, by nick.</summary>
    public IReadOnlyDictionary<string, MucOccupant> Occupants => _occupants;

    /// <summary>The room's stanza-id of the newest message seen; catch-up after a reconnect starts after it.</summary>
    public string? LastStanzaId { get; private set; }

    /// <summary>Registers a message handler. Handlers run in order, one message at a time, off the read loop.</summary>
    public IDisposable OnMessage(Func<RoomMessage, Task> handler) => Register(_messageHandlers, handler);

    /// <summary>Registers a handler for room events: kicks, bans, destruction, rejoins, occupants coming and going.</summary>
    public IDisposable OnEvent(Func<MucRoomEvent, Task> handler) => Register(_eventHandlers, handler);

    /// <summary>Sends a groupchat message, in a XEP-0201 thread when <paramref name="thread"/> is given.
    /// Returns its origin-id. While reconnecting it waits in the client's queue and goes out once rejoined.</summary>
    public async Task<string> SendAsync(string body, string? thread = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var message = new MessageStanza(Jid, "groupchat", body, thread) { OriginId = Guid.NewGuid().ToString("N") };
        await _client.SendAsync(message, cancellationToken);
        return message.OriginId!;
    }

    /// <summary>Leaves the room and waits for the room to confirm.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        // The room stays routed until it confirms: its unavailable presence is what ends the wait below (removing the
        // room first made every leave wait out the whole request timeout).
        try
        {
            if (_joined && _client.State == XmppConnectionState.Connected)
            {
                var leave = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pendingLeave = leave;
                var session = await _client.WaitOnlineAsync(cancellationToken);
                _client.SendOn(session, new PresenceStanza(OccupantJid, "unavailable"));
                try
                {
                    await leave.Task.WaitAsync(_client.Options.RequestTimeout, _client.Time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // The room did not confirm; we consider ourselves gone anyway.
                }
            }
        }
        finally
        {
            _client.RemoveRoom(this);
            await _lifetime.CancelAsync();
            _joined = false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_lifetime.IsCancellationRequested)
        {
            await _lifetime.CancelAsync();
        }

        await _selfPing.ContinueWith(static _ => { }, TaskScheduler.Default);
        await _dispatcher.DisposeAsync();
        _lifetime.Dispose();
    }

    /// <summary>Sends our presence to the room and waits for status 110 (or the room's refusal).</summary>
    internal async Task JoinAsync(XmppSession session, CancellationToken cancellationToken)
    {
        var pending = new TaskCompletionSource<PresenceStanza>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pendingJoin = pending;
        }

        var presence = new PresenceStanza(OccupantJid);
        var muc = new XElement(Ns.Muc + "x", new XElement(Ns.Muc + "history", new XAttribute("maxstanzas", "0")));
        if (_password is not null)
        {
            muc.Add(new XElement(Ns.Muc + "password", _password));
        }

        presence.Element.Add(muc);
        _client.SendOn(session, presence);
        PresenceStanza self;
        try
        {
            self = await pending.Task.WaitAsync(_client.Options.RequestTimeout, _client.Time, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _pendingJoin = null;
            }
        }

        _joined = true;
        _syncedAt = _client.Time.GetUtcNow();
        if (StatusCodes(self).Contains(201))
        {
            // We created the room: accept the default configuration so it is unlocked (XEP-0045 §10.1.2).
            var owner = XNamespace.Get("http://jabber.org/protocol/muc#owner");
            var configure = new IqStanza("set", Jid, new XElement(owner + "query", new XElement(Ns.DataForms + "x", new XAttribute("type", "submit"))));
            await _client.SendIqOnAsync(session, configure, _client.Options.RequestTimeout, cancellationToken);
        }

        XmppLog.RoomJoined(_client.Logger, Jid, Nick);
    }

    internal void StartSelfPing() => _selfPing = Task.Run(SelfPingLoopAsync);

    private void RaiseEvent(MucRoomEvent roomEvent)
    {
        Func<MucRoomEvent, Task>[] handlers;
        lock (_eventHandlers)
        {
            handlers = [.. _eventHandlers];
        }

        foreach (var handler in handlers)
        {
            _dispatcher.Post(() => handler(roomEvent));
        }
    }

    private static HashSet<int> StatusCodes(Stanza stanza) => stanza.Element.Element(Ns.MucUser + "x")?.Elements(Ns.MucUser + "status")
        .Select(s => int.TryParse(s.Attribute("code")?.Value, out var code) ? code : 0).ToHashSet() ?? [];

    private static IDisposable Register<T>(List<T> handlers, T handler)
    {
        lock (handlers)
        {
            handlers.Add(handler);
        }

        return new Unregister(() =>
        {
            lock (handlers)
            {
                handlers.Remove(handler);
            }
        });
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
