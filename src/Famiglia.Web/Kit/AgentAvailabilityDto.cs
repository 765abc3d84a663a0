namespace Famiglia.Web.Kit;

/// <summary>Whether an agent's name is used by another agent of its group, and its XMPP user by another agent.</summary>
internal sealed record AgentAvailabilityDto(bool NameTaken, bool SlugTaken);
