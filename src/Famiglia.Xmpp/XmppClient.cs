using System.Collections.Concurrent;
using System.Threading.Channels;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Famiglia.Xmpp;

/// <summary>
/// An XMPP client that stays online: it negotiates TLS and SASL, keeps the stream alive with pings and
/// XEP-0198 acknowledgements, and after a drop resumes the stream or reconnects, rejoins every room
/// and catches up from the room archive, so that no room message is lost or delivered twice.
/// </summary>
/// <remarks>
/// Handlers never run on the read loop: each room delivers to its handlers in order on its own
/// dispatcher, so a slow handler in one room holds up neither pings nor other rooms.
/// </remarks>
public sealed partial class XmppClient : IAsyncDisposable
{
    private readonly XmppClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<IqStanza>> _pendingIqs = new();
    private readonly ConcurrentDictionary<Jid, MucRoom> _rooms = new();
    private readonly Channel<Stanza> _sendQueue;
    private readonly SerialDispatcher _events;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly StreamManagement _sm = new();
    private readonly List<Func<MessageStanza, Task>> _messageHandlers = [];
    private TaskCompletionSource _online = NewSignal();
    private XmppSession? _session;
    private Task _pump = Task.CompletedTask;
    private Task _reconnect = Task.CompletedTask;
    private int _state;
    private int _disposed;

    /// <summary>Creates a client. Nothing happens until <see cref="ConnectAsync"/>.</summary>
    public XmppClient(XmppClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<XmppClient>();
        _time = timeProvider ?? TimeProvider.System;
        _sendQueue = Channel.CreateBounded<Stanza>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _events = new SerialDispatcher("client events", HandlerThread.Shared, _logger);
        Endpoint = XmppEndpoint.Parse(options.Service);
    }

    /// <summary>Raised (off the read loop, in order) when <see cref="State"/> changes.</summary>
    public event EventHandler<XmppStateChange>? StateChanged;

    /// <summary>The current connection state.</summary>
    public XmppConnectionState State => (XmppConnectionState)Volatile.Read(ref _state);

    /// <summary>The full JID of the bound session, once connected.</summary>
    public Jid? BoundJid { get; private set; }

    /// <summary>The SASL mechanism of the last authentication, e.g. <c>SCRAM-SHA-256</c>.</summary>
    public string? AuthenticationMechanism { get; private set; }

    /// <summary>The rooms this client has joined or is rejoining.</summary>
    public IReadOnlyCollection<MucRoom> Rooms => _rooms.Values.ToArray();

    /// <summary>Connections opened so far (1 after the first connect); for diagnostics.</summary>
    public int ConnectionCount { get; private set; }

    /// <summary>Stream resumptions (XEP-0198) so far; for diagnostics.</summary>
    public int ResumeCount { get; private set; }

    internal XmppEndpoint Endpoint { get; }

    internal XmppClientOptions Options => _options;

    internal ILogger Logger => _logger;

    internal TimeProvider Time => _time;

    /// <summary>Connects, authenticates and binds. Throws <see cref="XmppAuthenticationException"/> on bad
    /// credentials; later drops are handled by reconnecting on its own.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!TryChangeState(XmppConnectionState.Disconnected, XmppConnectionState.Connecting, null))
        {
            throw new InvalidOperationException($"ConnectAsync needs a disconnected client; it is {State}.");
        }

        try
        {
            await EstablishAsync(allowResume: false, cancellationToken);
        }
        catch (Exception ex)
        {
            ForceState(XmppConnectionState.Disconnected, ex);
            throw;
        }

        ForceState(XmppConnectionState.Connected, null);
        _online.TrySetResult();
        if (_pump.IsCompleted)
        {
            _pump = Task.Run(PumpAsync);
        }
    }

    /// <summary>Leaves every room, closes the stream and stops reconnecting.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        ForceState(XmppConnectionState.Disconnected, null);
        var session = Interlocked.Exchange(ref _session, null);
        if (session is not null)
        {
            foreach (var room in _rooms.Values)
            {
                session.Enqueue(new PresenceStanza(room.OccupantJid, "unavailable").ToString());
            }

            await session.CloseAsync(cancellationToken); // writes what is queued, then the stream close
            await session.DisposeAsync();
        }

        FailPendingIqs(new XmppException("The client disconnected."));
    }

    /// <summary>Registers a handler for messages that are not from a joined room (chat, headline, normal).</summary>
    public IDisposable OnMessage(Func<MessageStanza, Task> handler)
    {
        lock (_messageHandlers)
        {
            _messageHandlers.Add(handler);
        }

        return new Registration(() =>
        {
            lock (_messageHandlers)
            {
                _messageHandlers.Remove(handler);
            }
        });
    }

    /// <summary>Queues a stanza for sending, in order with every other. A message gets an XEP-0359 origin-id
    /// when it has none. Use <see cref="SendIqAsync"/> for requests that expect an answer.</summary>
    /// <remarks>
    /// Completing means the stanza is in the connection's ordered send queue, not that the server has it:
    /// <list type="bullet">
    /// <item>Connected, with nothing queued ahead and no write in progress, it is written on the caller's thread
    /// before this returns (a TLS write the kernel accepts at once).</item>
    /// <item>Connected with a write in progress, it is queued behind it and the writer at work writes it.</item>
    /// <item>While the connection is down, or while the server has <see cref="XmppClientOptions.MaxUnackedStanzas"/>
    /// stanzas unacknowledged, it waits in the client's queue and this completes once it is queued there; when that
    /// queue (<see cref="XmppClientOptions.SendQueueCapacity"/>) is full, this waits for room (backpressure).</item>
    /// </list>
    /// Delivery is made sure by XEP-0198: a stanza the server has not acknowledged when the connection fails,
    /// including one whose write failed, is resent on resume or after reconnecting (messages only, on a new session).
    /// </remarks>
    public async ValueTask SendAsync(Stanza stanza, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (stanza is MessageStanza message)
        {
            message.OriginId ??= Guid.NewGuid().ToString("N");
        }

        if (!TrySendNow(stanza))
        {
            await _sendQueue.Writer.WriteAsync(stanza, cancellationToken);
        }
    }

    /// <summary>Sends an iq get or set and waits for its result. An error answer throws <see cref="XmppStanzaException"/>.</summary>
    public async Task<IqStanza> SendIqAsync(IqStanza request, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = _session is { HasFailed: false } s ? s : await WaitOnlineAsync(cancellationToken);
        return await SendIqOnAsync(session, request, timeout ?? _options.RequestTimeout, cancellationToken);
    }

    /// <summary>Joins a room (XEP-0045) without history and returns once the server confirms our own
    /// presence (status 110). Throws <see cref="MucJoinException"/> when the room refuses us.</summary>
    public Task<MucRoom> JoinRoomAsync(Jid roomJid, string nick, string? password = null, CancellationToken cancellationToken = default) =>
        JoinRoomAsync(roomJid, nick, beforeJoin: null, password, cancellationToken);

    /// <summary>Joins a room like <see cref="JoinRoomAsync(Jid, string, string?, CancellationToken)"/>, calling
    /// <paramref name="beforeJoin"/> with the room before the join is sent: handlers registered there see every message
    /// from the first one after the join (others in the room may speak as soon as they see us enter).</summary>
    public async Task<MucRoom> JoinRoomAsync(Jid roomJid, string nick, Action<MucRoom>? beforeJoin, string? password = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nick);
        var room = new MucRoom(this, roomJid.Bare, nick, password);
        beforeJoin?.Invoke(room);
        if (!_rooms.TryAdd(room.Jid, room))
        {
            await room.DisposeAsync();
            throw new InvalidOperationException($"Already in room {roomJid.Bare}; leave it first.");
        }

        try
        {
            var session = await WaitOnlineAsync(cancellationToken);
            await room.JoinFirstAsync(session, cancellationToken);
            room.StartSelfPing();
            return room;
        }
        catch
        {
            _rooms.TryRemove(room.Jid, out _);
            await room.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await DisconnectAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or XmppException)
        {
            // Disposing is best effort.
        }

        _lifetime.Cancel();
        _sendQueue.Writer.TryComplete();
        foreach (var room in _rooms.Values)
        {
            await room.DisposeAsync();
        }

        await Task.WhenAll(_pump, _reconnect).ContinueWith(static _ => { }, TaskScheduler.Default);
        await _events.DisposeAsync();
        _lifetime.Dispose();
    }

    internal void RemoveRoom(MucRoom room) => _rooms.TryRemove(new KeyValuePair<Jid, MucRoom>(room.Jid, room));

    /// <summary>Sends a stanza on a session, counting it for stream management. Writes on this thread when
    /// no write is in progress; must not be called holding the stream-management lock (use <see cref="QueueOn"/>).</summary>
    internal void SendOn(XmppSession session, Stanza stanza)
    {
        QueueOn(session, stanza);
        session.Flush();
    }

    /// <summary>Queues a stanza on a session without writing; the caller flushes the session after releasing its locks.</summary>
    internal void QueueOn(XmppSession session, Stanza stanza) => QueueRawOn(session, stanza.ToString(), stanza is MessageStanza);

    /// <summary>Queues serialized stanza XML on a session. With XEP-0198 on, it is kept until the server
    /// acknowledges it, so a session that dies first does not lose it: it is resent on resume or reconnect.</summary>
    internal void QueueRawOn(XmppSession session, string xml, bool isMessage)
    {
        lock (_sm)
        {
            var requestAck = _sm.Enabled && _sm.Track(xml, isMessage);
            session.Enqueue(xml);
            if (requestAck)
            {
                session.Enqueue(AckRequest);
            }
        }
    }

    internal async Task<IqStanza> SendIqOnAsync(XmppSession session, IqStanza request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        request.Id ??= Guid.NewGuid().ToString("N");
        var pending = new TaskCompletionSource<IqStanza>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingIqs[request.Id] = pending;
        try
        {
            SendOn(session, request);
            var response = await pending.Task.WaitAsync(timeout, _time, cancellationToken);
            if (response.Type == "error")
            {
                throw new XmppStanzaException(response.Error!);
            }

            return response;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No answer to iq '{request.Payload?.Name.LocalName}' to {request.To?.ToString() ?? "the server"} within {timeout}.");
        }
        finally
        {
            _pendingIqs.TryRemove(request.Id, out _);
        }
    }

    internal Task<XmppSession> WaitOnlineAsync(CancellationToken cancellationToken)
    {
        if (State == XmppConnectionState.Disconnected)
        {
            throw new XmppException("The client is not connected.");
        }

        return WaitAsync();

        async Task<XmppSession> WaitAsync()
        {
            while (true)
            {
                await _online.Task.WaitAsync(cancellationToken);
                if (_session is { HasFailed: false } session)
                {
                    return session;
                }

                await Task.Yield();
            }
        }
    }

    internal async Task PingServerAsync(XmppSession session, CancellationToken cancellationToken)
    {
        var ping = new IqStanza("get", new Jid(null, _options.Domain), new XElement(Ns.Ping + "ping"));
        await SendIqOnAsync(session, ping, _options.PingTimeout, cancellationToken);
        RequestAck(session); // while idle, let the server confirm the tail of what we sent
    }

    internal void Dispatch(Func<Task> work) => _events.Post(work);

    private bool TryChangeState(XmppConnectionState from, XmppConnectionState to, Exception? error)
    {
        if (Interlocked.CompareExchange(ref _state, (int)to, (int)from) != (int)from)
        {
            return false;
        }

        RaiseStateChanged(from, to, error);
        return true;
    }

    private void ForceState(XmppConnectionState to, Exception? error)
    {
        var from = (XmppConnectionState)Interlocked.Exchange(ref _state, (int)to);
        if (from != to)
        {
            RaiseStateChanged(from, to, error);
        }
    }

    private void RaiseStateChanged(XmppConnectionState from, XmppConnectionState to, Exception? error)
    {
        if (to != XmppConnectionState.Connected && _online.Task.IsCompleted)
        {
            _online = NewSignal();
        }

        var change = new XmppStateChange(from, to, error);
        _events.Post(() =>
        {
            StateChanged?.Invoke(this, change);
            return Task.CompletedTask;
        });
    }

    private void FailPendingIqs(Exception error)
    {
        foreach (var pending in _pendingIqs)
        {
            if (_pendingIqs.TryRemove(pending.Key, out var tcs))
            {
                tcs.TrySetException(error);
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Registration(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
