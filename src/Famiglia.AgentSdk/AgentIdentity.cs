namespace Famiglia.AgentSdk;

/// <summary>Who the agent is, as the harness answers <c>ready</c>.</summary>
/// <param name="Nick">The agent's nick in the room (<c>@s:photo-agent@dev1.localhost</c>); its own messages carry it.</param>
/// <param name="Room">The room's MUC address (<c>photos.feldmans@conference.dev1.localhost</c>).</param>
/// <param name="Thread">The agent's document thread (its document's CRDT key), or null when it has none.</param>
/// <param name="GroupId">The Famiglia group the agent belongs to.</param>
/// <param name="RoomId">The Famiglia room the agent lives in.</param>
/// <param name="CanvasDirectory">The directory the canvas server serves (<c>/canvas</c>); write through <see cref="FamigliaAgent.Canvas"/>.</param>
/// <param name="WorkspaceDirectory">The agent's persistent working directory (<c>/workspace</c>).</param>
public sealed record AgentIdentity(
    string Nick,
    string Room,
    string? Thread,
    string GroupId,
    string RoomId,
    string CanvasDirectory,
    string WorkspaceDirectory);
