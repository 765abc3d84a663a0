namespace Famiglia.Xmpp;

/// <summary>TLS was required but could not be negotiated. Not retried: the configuration must change.</summary>
public sealed class XmppTlsRequiredException : XmppException
{
    /// <summary>Creates the exception.</summary>
    public XmppTlsRequiredException(string message) : base(message)
    {
    }
}
