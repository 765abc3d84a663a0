using Famiglia.Web.Auth;
using Famiglia.Web.Infrastructure;
using Famiglia.Web.Spaces;
using Famiglia.Xmpp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Chat;

/// <summary>Chat for people: sending as the user through their own XMPP connection, and the stored history.</summary>
internal sealed partial class ChatService(
    IDbContextFactory<FamigliaDbContext> db,
    Membership membership,
    UserConnections connections,
    ChatAddresses addresses,
    IOptions<FamigliaOptions> options,
    ILogger<ChatService> logger)
{
    public const int MaxBodyLength = 4000;

    /// <summary>
    /// Sends a groupchat message to the room's MUC as the user (nick = their handle), in a document's thread when
    /// <paramref name="thread"/> is given. It is stored and pushed once the room has it, like any other message.
    /// </summary>
    /// <exception cref="ChatException">Invalid body or thread, a room the user cannot see, or chat unavailable.</exception>
    public async Task SendAsync(string userId, string roomId, string body, string? thread = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            throw ChatException.Invalid("body", "the message is empty.");
        }

        if (body.Length > MaxBodyLength)
        {
            throw ChatException.Invalid("body", $"a message has at most {MaxBodyLength} characters, this one has {body.Length}.");
        }

        thread = string.IsNullOrEmpty(thread) ? null : thread;
        if (!await membership.CanSeeRoomAsync(userId, roomId, cancellationToken))
        {
            throw new ChatException(ChatError.Forbidden, "You cannot see this room.");
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        if (thread is not null && !await context.Documents.AnyAsync(d => d.RoomId == roomId && d.CrdtKey == thread, cancellationToken))
        {
            throw ChatException.Invalid("thread", "no document of this room has that key.");
        }

        if (!options.Value.ChatEnabled)
        {
            throw new ChatException(ChatError.Unavailable, "Chat is switched off on this server.");
        }

        var room = await context.Rooms.Where(r => r.Id == roomId).Select(r => new { r.Slug, GroupSlug = r.Group!.Slug }).SingleAsync(cancellationToken);
        var handle = await context.Users.Where(u => u.Id == userId).Select(u => u.Handle).SingleAsync(cancellationToken);
        try
        {
            var muc = await connections.RoomAsync(userId, handle, roomId, addresses.RoomJid(room.Slug, room.GroupSlug), cancellationToken);
            await muc.SendAsync(body, thread, cancellationToken);
        }
        catch (Exception ex) when (ex is XmppException or TimeoutException or IOException)
        {
            SendFailed(logger, handle, roomId, ex);
            throw new ChatException(ChatError.Unavailable, "Chat is unavailable right now; please try again in a moment.", innerException: ex);
        }
    }

    /// <summary>The last <paramref name="limit"/> messages, oldest first: the room's main chat when <paramref name="thread"/>
    /// is null, else that thread's.</summary>
    public async Task<IReadOnlyList<ChatMessage>> RecentAsync(string roomId, string? thread, int limit, CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var rows = await context.Messages.AsNoTracking()
            .Where(m => m.RoomId == roomId && m.Thread == thread)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Take(limit)
            .Select(m => new { m.Id, m.RoomId, m.AuthorNick, AuthorName = m.Author == null ? null : m.Author.DisplayName, m.Body, m.Thread, m.CreatedAt })
            .ToListAsync(cancellationToken);
        rows.Reverse();

        // Agents are shown by their name ("Photo Library"), not their nick.
        var agentUsers = rows.Select(m => ChatAddresses.AgentUser(m.AuthorNick)).OfType<string>().Distinct().ToList();
        var agentNames = await context.AgentConfigs.AsNoTracking().Where(a => agentUsers.Contains(a.XmppUser))
            .ToDictionaryAsync(a => a.XmppUser, a => a.Name, cancellationToken);
        return rows.Select(m => new ChatMessage(m.Id, m.RoomId, m.AuthorNick,
            m.AuthorName ?? agentNames.GetValueOrDefault(ChatAddresses.AgentUser(m.AuthorNick) ?? "") ?? ChatAddresses.NameOfNick(m.AuthorNick),
            m.Body, m.Thread, m.CreatedAt)).ToList();
    }

    [LoggerMessage(1, LogLevel.Warning, "Sending a message of {Handle} to room {RoomId} failed")]
    private static partial void SendFailed(ILogger logger, string handle, string roomId, Exception exception);
}
