using Famiglia.Xmpp.Xml;

namespace Famiglia.Xmpp.Transport;

/// <summary>One physical connection carrying one XMPP stream (restarted in place after STARTTLS and SASL).</summary>
internal interface IXmppTransport : IAsyncDisposable
{
    /// <summary>True once the bytes are encrypted (TLS or wss).</summary>
    bool IsSecure { get; }

    /// <summary>True when STARTTLS can upgrade this transport.</summary>
    bool SupportsStartTls { get; }

    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Sends a stream header (or the RFC 7395 open element) and forgets any parser state.</summary>
    Task OpenStreamAsync(string domain, CancellationToken cancellationToken);

    /// <summary>True when frames already received wait to be read (<see cref="ReadAsync"/> will not wait for the network).</summary>
    bool HasBufferedFrames { get; }

    /// <summary>Reads the next frame; throws <see cref="IOException"/> when the peer goes away.</summary>
    ValueTask<XmppFrame> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Writes top-level elements, already serialized, in order.</summary>
    ValueTask WriteAsync(IReadOnlyList<string> elements, CancellationToken cancellationToken);

    Task StartTlsAsync(string domain, CancellationToken cancellationToken);

    /// <summary>Asks for this connection's completed socket operations to continue on the runtime's socket event
    /// thread instead of a thread-pool thread; false when the transport cannot (see XmppSession.cs).</summary>
    bool TryPreferInlineCompletions(bool inline);

    /// <summary>Sends the stream close, best effort.</summary>
    Task CloseStreamAsync(CancellationToken cancellationToken);
}
