using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Ui;

/// <summary>What the pages read, always through what the signed-in user may see: a group they are not a member of, or
/// a PARTICIPANTS_ONLY room they are not in, does not exist for them (404, never 403).</summary>
internal sealed class SpaceQueries(IDbContextFactory<FamigliaDbContext> db)
{
    public async Task<List<Group>> GroupsOfAsync(string userId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Groups.AsNoTracking().Where(g => g.Members.Any(m => m.UserId == userId)).OrderBy(g => g.Name).ToListAsync(cancellationToken);
    }

    public async Task<(Group Group, MemberRole Role)?> GroupAsync(string userId, string slug, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var group = await context.Groups.AsNoTracking().SingleOrDefaultAsync(g => g.Slug == slug, cancellationToken);
        var member = group is null ? null
            : await context.Members.AsNoTracking().SingleOrDefaultAsync(m => m.GroupId == group.Id && m.UserId == userId, cancellationToken);
        return member is null ? null : (group!, member.Role);
    }

    public async Task<List<Room>> VisibleRoomsAsync(string userId, string groupId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Rooms.AsNoTracking()
            .Where(r => r.GroupId == groupId && (r.Visibility == RoomVisibility.PUBLIC || r.Participants.Any(p => p.UserId == userId)))
            .OrderBy(r => r.Name).ToListAsync(cancellationToken);
    }

    public async Task<Room?> VisibleRoomAsync(string userId, string groupId, string slug, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Rooms.AsNoTracking()
            .Where(r => r.GroupId == groupId && r.Slug == slug && (r.Visibility == RoomVisibility.PUBLIC || r.Participants.Any(p => p.UserId == userId)))
            .SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<List<AgentConfig>> AgentsAsync(string roomId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.AgentConfigs.AsNoTracking().Include(a => a.Document)
            .Where(a => a.Document!.RoomId == roomId).OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<List<RoomDocument>> NotesAsync(string roomId, CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Documents.AsNoTracking().Where(d => d.RoomId == roomId && d.Type == DocumentType.EDITOR)
            .OrderBy(d => d.CreatedAt).ToListAsync(cancellationToken);
    }
}
