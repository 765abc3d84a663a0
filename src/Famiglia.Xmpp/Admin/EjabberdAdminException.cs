namespace Famiglia.Xmpp.Admin;

/// <summary>An ejabberd admin command failed. The message names the command and the server's reason.</summary>
public sealed class EjabberdAdminException : XmppException
{
    /// <summary>Creates the exception.</summary>
    public EjabberdAdminException(string command, int httpStatus, string reason, Exception? innerException = null)
        : base($"ejabberd command '{command}' failed (HTTP {httpStatus}): {reason}", innerException)
    {
        Command = command;
        HttpStatus = httpStatus;
        Reason = reason;
    }

    /// <summary>The mod_http_api command.</summary>
    public string Command { get; }

    /// <summary>The HTTP status the server answered with (0 when it could not be reached).</summary>
    public int HttpStatus { get; }

    /// <summary>The server's reason.</summary>
    public string Reason { get; }
}
