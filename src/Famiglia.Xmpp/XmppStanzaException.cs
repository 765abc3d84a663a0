namespace Famiglia.Xmpp;

/// <summary>The server or a peer answered a request with a stanza error.</summary>
public sealed class XmppStanzaException : XmppException
{
    /// <summary>Creates the exception.</summary>
    public XmppStanzaException(StanzaError error) : base($"The request failed: {error}.") => Error = error;

    /// <summary>The error the peer returned.</summary>
    public StanzaError Error { get; }
}
