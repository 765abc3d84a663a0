namespace Famiglia.Web.AgentApi;

/// <summary>A chat message; <see cref="Thread"/> is a document's key for document tab chat, null for the room's chat.</summary>
public sealed record MessageDto(string Id, string RoomId, UserDto? Author, string AuthorNick, string Body, string? Thread, string? StanzaId, DateTime CreatedAt);
