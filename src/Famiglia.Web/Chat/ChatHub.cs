using Famiglia.Web.Auth;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Chat;

/// <summary>
/// <c>/hubs/chat</c>, for signed-in people. Client → server: <c>JoinRoom(roomId)</c> and <c>JoinThread(roomId, thread)</c>
/// (each returns the last 50 messages, oldest first), <c>LeaveRoom(roomId)</c>, <c>Send(roomId, body, thread|null)</c>.
/// Server → client: <c>message</c>, <c>agentStatus</c>, <c>canvasVersion</c> (see <see cref="ChatNotifier"/>), for every
/// thread of the joined rooms; on joining, an <c>agentStatus</c> for each agent of the room (what changed between the page's
/// render and its joining would be missed otherwise), and a <c>canvasVersion</c> for each whose version is known (the room
/// page renders the one it knew into the canvas frame; a bump in between would be missed too). Refusals are
/// <see cref="HubException"/>s with a message fit to show.
/// </summary>
[Authorize]
internal sealed class ChatHub(Membership membership, ChatService chat, IDbContextFactory<FamigliaDbContext> db, CanvasVersions canvasVersions) : Hub
{
    public const string Path = "/hubs/chat";
    public const int HistorySize = 50;

    /// <summary>Joins the room's live updates; returns the room's main chat (messages without a thread).</summary>
    public Task<IReadOnlyList<ChatMessage>> JoinRoom(string roomId) => JoinAsync(roomId, null);

    /// <summary>Joins the room's live updates; returns the chat of one document tab.</summary>
    public Task<IReadOnlyList<ChatMessage>> JoinThread(string roomId, string thread) => JoinAsync(roomId, thread);

    public Task LeaveRoom(string roomId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, ChatNotifier.RoomGroup(roomId), Context.ConnectionAborted);

    /// <summary>Sends as the signed-in user; the message comes back as a <c>message</c> event once the room has it.</summary>
    public async Task Send(string roomId, string body, string? thread)
    {
        try
        {
            await chat.SendAsync(Context.User!.RequiredUserId(), roomId, body, thread, Context.ConnectionAborted);
        }
        catch (ChatException ex)
        {
            throw new HubException(ex.Message);
        }
    }

    private async Task<IReadOnlyList<ChatMessage>> JoinAsync(string roomId, string? thread)
    {
        if (!await membership.CanSeeRoomAsync(Context.User!.RequiredUserId(), roomId, Context.ConnectionAborted))
        {
            throw new HubException("You cannot see this room.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, ChatNotifier.RoomGroup(roomId), Context.ConnectionAborted);
        await using (var context = await db.CreateDbContextAsync(Context.ConnectionAborted))
        {
            var agents = await context.AgentConfigs.AsNoTracking().Where(a => a.Document!.RoomId == roomId)
                .Select(a => new { a.Id, a.Status }).ToListAsync(Context.ConnectionAborted);
            foreach (var agent in agents)
            {
                await Clients.Caller.SendAsync(ChatNotifier.AgentStatusEvent, new AgentStatusChanged(agent.Id, agent.Status.ToString()), Context.ConnectionAborted);
                if (canvasVersions.Of(agent.Id) is { } version)
                {
                    await Clients.Caller.SendAsync(ChatNotifier.CanvasVersionEvent, new CanvasVersionChanged(agent.Id, version), Context.ConnectionAborted);
                }
            }
        }

        return await chat.RecentAsync(roomId, thread, HistorySize, Context.ConnectionAborted);
    }
}
