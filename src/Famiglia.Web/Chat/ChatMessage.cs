namespace Famiglia.Web.Chat;

/// <summary>A chat message as the browser gets it: the hub's <c>message</c> event and <c>JoinRoom</c>'s history.</summary>
/// <param name="AuthorName">The user's display name, or for a service actor (agent) the name in its nick.</param>
/// <param name="Thread">The document's CRDT key for document tab chat, null for the room's main chat.</param>
public sealed record ChatMessage(string Id, string RoomId, string AuthorNick, string AuthorName, string Body, string? Thread, DateTime CreatedAt);
