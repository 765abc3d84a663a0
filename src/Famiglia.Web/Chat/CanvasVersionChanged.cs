namespace Famiglia.Web.Chat;

/// <summary>The hub's <c>canvasVersion</c> event: <c>{agentId, version}</c>.</summary>
public sealed record CanvasVersionChanged(string AgentId, long Version);
