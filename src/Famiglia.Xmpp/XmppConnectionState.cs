namespace Famiglia.Xmpp;

/// <summary>The connection's state. Changes are announced by <see cref="XmppClient.StateChanged"/>.</summary>
public enum XmppConnectionState
{
    /// <summary>Not connected, and not trying to be.</summary>
    Disconnected,

    /// <summary>Opening the first connection (TCP or WebSocket, TLS).</summary>
    Connecting,

    /// <summary>Authenticating and binding the first session.</summary>
    Authenticating,

    /// <summary>Online: the session is bound and every joined room is restored.</summary>
    Connected,

    /// <summary>The connection dropped; resuming or reconnecting with backoff.</summary>
    Reconnecting,
}

/// <summary>A state change, with the error that caused it when there was one.</summary>
public sealed record XmppStateChange(XmppConnectionState From, XmppConnectionState To, Exception? Error);
