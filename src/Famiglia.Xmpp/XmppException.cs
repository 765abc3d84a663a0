namespace Famiglia.Xmpp;

/// <summary>Base type of every error this library raises.</summary>
public class XmppException : Exception
{
    /// <summary>Creates the exception.</summary>
    public XmppException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
