namespace Famiglia.Web.Agents;

/// <summary>A freshly issued key: <see cref="Key"/> exists only here, never in the database or a log.</summary>
public sealed record IssuedApiKey(string AgentConfigId, string AgentName, string GroupSlug, string RoomSlug, string Key);
