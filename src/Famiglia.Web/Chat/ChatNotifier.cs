using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.SignalR;

namespace Famiglia.Web.Chat;

/// <summary>Pushes to the browsers that joined a room (SignalR group <c>room:{roomId}</c> of <see cref="ChatHub"/>).</summary>
internal sealed class ChatNotifier(IHubContext<ChatHub> hub)
{
    public const string MessageEvent = "message";
    public const string AgentStatusEvent = "agentStatus";
    public const string CanvasVersionEvent = "canvasVersion";

    public static string RoomGroup(string roomId) => "room:" + roomId;

    /// <summary>A stored chat message, to everyone in its room.</summary>
    public Task MessageAsync(ChatMessage message, CancellationToken cancellationToken = default) =>
        hub.Clients.Group(RoomGroup(message.RoomId)).SendAsync(MessageEvent, message, cancellationToken);

    /// <summary><c>agentStatus</c> <c>{agentId, status}</c> to everyone in the agent's room.</summary>
    public Task AgentStatusAsync(string roomId, string agentId, AgentStatus status, CancellationToken cancellationToken = default) =>
        hub.Clients.Group(RoomGroup(roomId)).SendAsync(AgentStatusEvent, new AgentStatusChanged(agentId, status.ToString()), cancellationToken);

    /// <summary><c>canvasVersion</c> <c>{agentId, version}</c> to everyone in the agent's room.</summary>
    public Task CanvasVersionAsync(string roomId, string agentId, long version, CancellationToken cancellationToken = default) =>
        hub.Clients.Group(RoomGroup(roomId)).SendAsync(CanvasVersionEvent, new CanvasVersionChanged(agentId, version), cancellationToken);
}
