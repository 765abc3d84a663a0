using Famiglia.Web.Spaces;

namespace Famiglia.Web.AgentApi;

/// <summary>A room document (tab).</summary>
public sealed record DocumentDto(string Id, string RoomId, DocumentType Type, string Title, string CrdtKey, DateTime CreatedAt, DateTime UpdatedAt);
