namespace Famiglia.Web.AgentApi;

/// <summary><c>GET /api/agent/group</c>: the group and its members.</summary>
public sealed record GroupDto(string Id, string Slug, string Name, DateTime CreatedAt, IReadOnlyList<MemberDto> Members);
