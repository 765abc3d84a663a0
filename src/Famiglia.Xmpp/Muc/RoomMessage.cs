namespace Famiglia.Xmpp;

/// <summary>A groupchat message from a room.</summary>
/// <param name="Room">The room's bare JID.</param>
/// <param name="Nick">The sender's occupant nick.</param>
/// <param name="Body">The text.</param>
/// <param name="Thread">The XEP-0201 thread, or null for the room's main chat.</param>
/// <param name="StanzaId">The room's XEP-0359 stanza-id (its archive id), when the room assigns one.</param>
/// <param name="OriginId">The sender's XEP-0359 origin-id.</param>
/// <param name="Timestamp">When the room received it (the delay stamp for archived messages).</param>
/// <param name="IsOwn">Sent by this client.</param>
/// <param name="FromArchive">Delivered by the catch-up after a reconnect rather than live.</param>
public sealed record RoomMessage(
    Jid Room,
    string Nick,
    string Body,
    string? Thread,
    string? StanzaId,
    string? OriginId,
    DateTimeOffset Timestamp,
    bool IsOwn,
    bool FromArchive);
