namespace Famiglia.Web.AgentApi;

/// <summary>A file with its text; <see cref="Snippet"/> shows the match (in [brackets]) when searched with <c>q</c>.</summary>
public sealed record FileDto(string Id, string Name, string Mime, long Size, string? RoomId, string Text, string? Snippet, DateTime CreatedAt);
