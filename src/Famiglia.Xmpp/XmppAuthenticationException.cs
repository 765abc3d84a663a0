namespace Famiglia.Xmpp;

/// <summary>The server refused our credentials (or SASL could not be negotiated). The client does not
/// retry on its own: a wrong password stays wrong.</summary>
public sealed class XmppAuthenticationException : XmppException
{
    /// <summary>Creates the exception.</summary>
    public XmppAuthenticationException(string message, string condition, Exception? innerException = null)
        : base(message, innerException) => Condition = condition;

    /// <summary>The SASL failure condition, e.g. <c>not-authorized</c>.</summary>
    public string Condition { get; }
}
