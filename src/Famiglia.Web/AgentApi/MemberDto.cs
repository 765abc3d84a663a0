using Famiglia.Web.Spaces;

namespace Famiglia.Web.AgentApi;

/// <summary>A member of the group.</summary>
public sealed record MemberDto(string UserId, string Handle, string DisplayName, MemberRole Role, DateTime JoinedAt);
