namespace Famiglia.AgentSdk;

/// <summary>A message of a room's chat history (<c>api.chatHistory</c>).</summary>
/// <param name="Id">The message's id.</param>
/// <param name="RoomId">The room it was written in.</param>
/// <param name="Author">The person who wrote it; null for agents and unknown senders.</param>
/// <param name="AuthorNick">The sender's nick.</param>
/// <param name="Body">The text.</param>
/// <param name="Thread">The document thread, or null for the room's main chat.</param>
/// <param name="StanzaId">The room archive's id of the message, when known.</param>
/// <param name="CreatedAt">When it was sent.</param>
public sealed record ChatMessage(
    string Id,
    string RoomId,
    UserInfo? Author,
    string AuthorNick,
    string Body,
    string? Thread,
    string? StanzaId,
    DateTimeOffset CreatedAt);
