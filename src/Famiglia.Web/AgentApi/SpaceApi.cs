using Famiglia.Web.Infrastructure;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.AgentApi;

/// <summary><c>group</c>, <c>room</c> and <c>rooms</c>.</summary>
internal static class SpaceApi
{
    public static RouteGroupBuilder MapSpace(this RouteGroupBuilder api)
    {
        api.MapReadOnly("/group", GetGroupAsync).WithSummary("Group metadata and member list");
        api.MapReadOnly("/room", GetOwnRoomAsync).WithSummary("The agent's own room (AgentConfig → document → room)");
        api.MapReadOnly("/rooms", ListRoomsAsync).WithSummary("All rooms in the group");
        return api;
    }

    private static async Task<Results<Ok<GroupDto>, ProblemHttpResult>> GetGroupAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var group = await context.Groups.AsNoTracking()
            .Where(g => g.Id == caller.GroupId)
            .Select(g => new GroupDto(g.Id, g.Slug, g.Name, g.CreatedAt, g.Members
                .OrderBy(m => m.User!.Handle)
                .Select(m => new MemberDto(m.UserId, m.User!.Handle, m.User.DisplayName, m.Role, m.JoinedAt))
                .ToList()))
            .SingleOrDefaultAsync(cancellationToken);
        return group is null ? NotFoundProblem.For("Group", caller.GroupId) : TypedResults.Ok(group);
    }

    private static async Task<Results<Ok<RoomDto>, ProblemHttpResult>> GetOwnRoomAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, IOptions<FamigliaOptions> options, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var room = await Rooms(context.Rooms.Where(r => r.Id == caller.RoomId), caller, options.Value.XmppDomain)
            .SingleOrDefaultAsync(cancellationToken);
        return room is null ? NotFoundProblem.For("Room", caller.RoomId) : TypedResults.Ok(room);
    }

    private static async Task<Results<Ok<Page<RoomDto>>, ValidationProblem>> ListRoomsAsync(
        AgentCaller caller, IDbContextFactory<FamigliaDbContext> db, IOptions<FamigliaOptions> options,
        string? limit, string? offset, CancellationToken cancellationToken)
    {
        if (!Paging.TryParse(limit, offset, out var paging, out var problem))
        {
            return problem!;
        }

        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var (total, rooms) = await paging.ReadAsync(Rooms(context.Rooms, caller, options.Value.XmppDomain), cancellationToken);
        return TypedResults.Ok(paging.ToPage(rooms, total));
    }

    private static IQueryable<RoomDto> Rooms(IQueryable<Room> rooms, AgentCaller caller, string xmppDomain) =>
        rooms.AsNoTracking()
            .Where(r => r.GroupId == caller.GroupId)
            .OrderBy(r => r.Slug)
            .Select(r => new RoomDto(
                r.Id,
                r.Slug,
                r.Name,
                r.Visibility,
                r.Slug + "." + r.Group!.Slug + "@conference." + xmppDomain,
                r.CreatedAt,
                r.Participants.OrderBy(p => p.User!.Handle).Select(p => new UserDto(p.UserId, p.User!.Handle, p.User.DisplayName)).ToList()));
}
