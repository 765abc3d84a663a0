namespace Famiglia.AgentSdk;

/// <summary>A member of the group.</summary>
/// <param name="UserId">The member's user id.</param>
/// <param name="Handle">The member's handle.</param>
/// <param name="DisplayName">The name to show.</param>
/// <param name="Role"><c>OWNER</c>, <c>ADMIN</c> or <c>MEMBER</c> (a string, so a newer role does not break older agents).</param>
/// <param name="JoinedAt">When the member joined the group.</param>
public sealed record MemberInfo(string UserId, string Handle, string DisplayName, string Role, DateTimeOffset JoinedAt);
