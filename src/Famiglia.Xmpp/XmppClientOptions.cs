namespace Famiglia.Xmpp;

/// <summary>How an <see cref="XmppClient"/> connects and behaves.</summary>
public sealed record XmppClientOptions
{
    /// <summary>Where to connect: <c>xmpp://host:5222</c> (TCP with STARTTLS) or <c>ws://host:5280/ws</c> / <c>wss://…</c> (RFC 7395).</summary>
    public required Uri Service { get; init; }

    /// <summary>The XMPP domain (the stream's <c>to</c>), which may differ from the host in <see cref="Service"/>.</summary>
    public required string Domain { get; init; }

    /// <summary>The local part of the account's JID.</summary>
    public required string Username { get; init; }

    /// <summary>The account's password. Never logged.</summary>
    public required string Password { get; init; }

    /// <summary>The resource to bind; a random one when null.</summary>
    public string? Resource { get; init; }

    /// <summary>TLS settings.</summary>
    public XmppTlsOptions Tls { get; init; } = new();

    /// <summary>How long one connection attempt (connect, TLS, SASL, bind) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Idle time after which the client pings the server (XEP-0199) to check the connection.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a keepalive ping may go unanswered before the connection counts as dead.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Default timeout of an iq request and of a room join.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reconnect automatically after the connection drops.</summary>
    public bool AutoReconnect { get; init; } = true;

    /// <summary>First reconnect delay; doubles on each failure, with jitter, up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest stanza accepted from the server; a larger one fails the connection.</summary>
    public int MaxStanzaBytes { get; init; } = 1024 * 1024;

    /// <summary>Stanzas that may wait to be written; senders wait when it is full.</summary>
    public int SendQueueCapacity { get; init; } = 10_000;

    /// <summary>Stanzas the server may leave unacknowledged (XEP-0198) before senders wait. Keep it below the
    /// server's own limit (ejabberd's <c>max_ack_queue</c>), which closes the stream when exceeded.</summary>
    public int MaxUnackedStanzas { get; init; } = 1_000;

    /// <summary>How often a joined room is self-pinged (XEP-0410) to detect a silent drop.</summary>
    public TimeSpan RoomSelfPingInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Read the established stream (TCP, or the TCP connection under a WebSocket) on the runtime's socket
    /// event thread (Linux: the epoll thread) rather than hopping to a thread-pool thread for every read that had to
    /// wait. Only the client's own read path runs there (decrypt, parse, route, answer acknowledgements and pings);
    /// handlers run on the process's XMPP handler thread or the thread pool. On a small machine the hop costs more CPU than
    /// the read itself (the pool thread spins before it sleeps; bench/RESULTS.md). Other sockets of the process share
    /// that thread, so a process serving latency-sensitive traffic on the same few cores may prefer false.</summary>
    public bool PreferInlineSocketCompletions { get; init; } = true;

    /// <summary>Deliver our own messages when the room echoes them back (they are marked <see cref="RoomMessage.IsOwn"/>).</summary>
    public bool DeliverOwnMessages { get; init; }
}
