using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.AgentApi;

/// <summary><c>chat/history</c> and <c>documents</c>: per room, the agent's own room when <c>roomId</c> is left out.</summary>
internal static class RoomContentApi
{
    public static RouteGroupBuilder MapRoomContent(this RouteGroupBuilder api)
    {
        api.MapReadOnly("/chat/history", HistoryAsync).WithSummary("Message history of a room, newest first; thread= filters to a document tab's chat");
        api.MapReadOnly("/documents", DocumentsAsync).WithSummary("Room documents");
        return api;
    }

    private static async Task<Results<Ok<Page<MessageDto>>, ValidationProblem, ProblemHttpResult>> HistoryAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, string? roomId, string? thread, string? limit, string? offset, CancellationToken cancellationToken)
    {
        if (!Paging.TryParse(limit, offset, out var paging, out var problem))
        {
            return problem!;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var room = roomId ?? caller.RoomId;
        if (!await InGroupAsync(context, caller, room, cancellationToken))
        {
            return NotFoundProblem.For("Room", room);
        }

        var messages = context.Messages.AsNoTracking().Where(m => m.RoomId == room);
        if (thread is not null)
        {
            messages = messages.Where(m => m.Thread == thread);
        }

        var (total, page) = await paging.ReadAsync(
            messages.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Select(m => new MessageDto(
                m.Id,
                m.RoomId,
                m.Author == null ? null : new UserDto(m.Author.Id, m.Author.Handle, m.Author.DisplayName),
                m.AuthorNick,
                m.Body,
                m.Thread,
                m.StanzaId,
                m.CreatedAt)),
            cancellationToken);
        return TypedResults.Ok(paging.ToPage(page, total));
    }

    private static async Task<Results<Ok<Page<DocumentDto>>, ValidationProblem, ProblemHttpResult>> DocumentsAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, string? roomId, string? limit, string? offset, CancellationToken cancellationToken)
    {
        if (!Paging.TryParse(limit, offset, out var paging, out var problem))
        {
            return problem!;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var room = roomId ?? caller.RoomId;
        if (!await InGroupAsync(context, caller, room, cancellationToken))
        {
            return NotFoundProblem.For("Room", room);
        }

        var (total, page) = await paging.ReadAsync(
            context.Documents.AsNoTracking().Where(d => d.RoomId == room).OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
                .Select(d => new DocumentDto(d.Id, d.RoomId, d.Type, d.Title, d.CrdtKey, d.CreatedAt, d.UpdatedAt)),
            cancellationToken);
        return TypedResults.Ok(paging.ToPage(page, total));
    }

    private static Task<bool> InGroupAsync(FamigliaDbContext context, AgentCaller caller, string roomId, CancellationToken cancellationToken) =>
        context.Rooms.AnyAsync(r => r.Id == roomId && r.GroupId == caller.GroupId, cancellationToken);
}
