namespace Famiglia.AgentSdk;

/// <summary>A file of the group with its text (<c>api.files</c>).</summary>
/// <param name="Id">The file's id.</param>
/// <param name="Name">The file name.</param>
/// <param name="Mime">The content type.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="RoomId">The room it was shared in, if any.</param>
/// <param name="Text">The file's extracted text.</param>
/// <param name="Snippet">For a search, the matching passage with the match in [brackets].</param>
/// <param name="CreatedAt">When it was shared.</param>
public sealed record FileResult(string Id, string Name, string Mime, long Size, string? RoomId, string Text, string? Snippet, DateTimeOffset CreatedAt);
