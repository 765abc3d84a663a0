namespace Famiglia.AgentSdk;

/// <summary>The agent's group and its members (<c>api.group</c>).</summary>
/// <param name="Id">The group's id.</param>
/// <param name="Slug">The group's slug.</param>
/// <param name="Name">The group's name.</param>
/// <param name="CreatedAt">When the group was created.</param>
/// <param name="Members">The members, by handle.</param>
public sealed record GroupInfo(string Id, string Slug, string Name, DateTimeOffset CreatedAt, IReadOnlyList<MemberInfo> Members);
