using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Famiglia.Xmpp;

/// <summary>Source-generated log messages. Stanza traces are redacted: no password, SASL payload or token
/// ever reaches a log line.</summary>
internal static partial class XmppLog
{
    [LoggerMessage(1, LogLevel.Trace, "SEND {Xml}")]
    private static partial void Send(ILogger logger, string xml);

    [LoggerMessage(2, LogLevel.Trace, "RECV {Xml}")]
    private static partial void Receive(ILogger logger, string xml);

    [LoggerMessage(3, LogLevel.Information, "Connected to {Service} as {Jid} ({Transport}, TLS {Secure})")]
    public static partial void Connected(ILogger logger, Uri service, Jid jid, string transport, bool secure);

    [LoggerMessage(4, LogLevel.Warning, "Connection to {Service} failed: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, Uri service, string reason, Exception? exception);

    [LoggerMessage(5, LogLevel.Information, "Reconnecting in {Delay} (attempt {Attempt})")]
    public static partial void ReconnectScheduled(ILogger logger, TimeSpan delay, int attempt);

    [LoggerMessage(6, LogLevel.Information, "Stream resumed (XEP-0198); {Resent} unacknowledged stanzas resent")]
    public static partial void Resumed(ILogger logger, int resent);

    [LoggerMessage(7, LogLevel.Information, "New session after reconnect; rejoining {Rooms} rooms")]
    public static partial void FreshSession(ILogger logger, int rooms);

    [LoggerMessage(8, LogLevel.Warning, "Accepting any TLS certificate: development setting, do not use in production")]
    public static partial void AcceptingAnyCertificate(ILogger logger);

    [LoggerMessage(9, LogLevel.Error, "Handler in {Dispatcher} failed")]
    public static partial void HandlerFailed(ILogger logger, string dispatcher, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "Authentication failed ({Condition}); not reconnecting")]
    public static partial void AuthenticationFailed(ILogger logger, string condition);

    [LoggerMessage(11, LogLevel.Information, "Joined {Room} as {Nick}")]
    public static partial void RoomJoined(ILogger logger, Jid room, string nick);

    [LoggerMessage(12, LogLevel.Warning, "Room {Room}: {Event} ({Reason})")]
    public static partial void RoomEvent(ILogger logger, Jid room, MucRoomEventKind @event, string? reason);

    [LoggerMessage(13, LogLevel.Warning, "Room {Room}: rejoin failed")]
    public static partial void RejoinFailed(ILogger logger, Jid room, Exception exception);

    [LoggerMessage(14, LogLevel.Information, "Room {Room}: caught up {Count} messages from the archive")]
    public static partial void CaughtUp(ILogger logger, Jid room, int count);

    [LoggerMessage(15, LogLevel.Warning, "Room {Room}: self-ping says we are no longer an occupant ({Condition}); rejoining")]
    public static partial void SelfPingLost(ILogger logger, Jid room, string condition);

    [LoggerMessage(16, LogLevel.Debug, "Send queue waits for acknowledgements: {Unacked} unacknowledged stanzas")]
    public static partial void Backpressure(ILogger logger, int unacked);

    [LoggerMessage(17, LogLevel.Warning, "Room {Room}: the archive does not know the last message seen ({StanzaId}); catching up on the latest messages instead")]
    public static partial void ArchiveMarkUnknown(ILogger logger, Jid room, string stanzaId);

    public static void TraceSend(ILogger logger, string xml)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            Send(logger, Redact(xml));
        }
    }

    public static void TraceReceive(ILogger logger, System.Xml.Linq.XElement element)
    {
        if (logger.IsEnabled(LogLevel.Trace))
        {
            Receive(logger, Redact(element.ToString(System.Xml.Linq.SaveOptions.DisableFormatting)));
        }
    }

    /// <summary>Blanks SASL payloads, passwords and tokens in a serialized stanza.</summary>
    internal static string Redact(string xml) => SecretPattern().Replace(xml, "${open}[redacted]${close}");

    [GeneratedRegex(@"(?<open><(?:[a-z]+:)?(?<name>auth|response|challenge|success|password|token)\b[^>]*?>)(?<body>[^<]*)(?<close></(?:[a-z]+:)?\k<name>>)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
