namespace Famiglia.Xmpp;

/// <summary>The peer broke the XMPP protocol (malformed XML, an unexpected element, an oversized stanza).
/// The connection it happened on is closed.</summary>
public class XmppProtocolException : XmppException
{
    /// <summary>Creates the exception.</summary>
    public XmppProtocolException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
