namespace Famiglia.Web.Chat;

/// <summary>The hub's <c>agentStatus</c> event: <c>{agentId, status}</c>, status as in <see cref="Spaces.AgentStatus"/> (e.g. <c>RUNNING</c>).</summary>
public sealed record AgentStatusChanged(string AgentId, string Status);
