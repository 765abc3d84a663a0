using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Auth;

/// <summary>What a signed-in user may see, looked up on every call (never cached in the cookie).</summary>
public sealed class Membership(IDbContextFactory<FamigliaDbContext> db)
{
    /// <summary>True when the user is a member of the group.</summary>
    public async Task<bool> IsMemberAsync(string userId, string groupId, CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Members.AnyAsync(m => m.UserId == userId && m.GroupId == groupId, cancellationToken);
    }

    /// <summary>True when the room exists, the user is a member of its group and, for a
    /// <see cref="RoomVisibility.PARTICIPANTS_ONLY"/> room, one of its participants.</summary>
    public async Task<bool> CanSeeRoomAsync(string userId, string roomId, CancellationToken cancellationToken = default)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        return await context.Rooms.AnyAsync(
            r => r.Id == roomId
                && context.Members.Any(m => m.GroupId == r.GroupId && m.UserId == userId)
                && (r.Visibility == RoomVisibility.PUBLIC || r.Participants.Any(p => p.UserId == userId)),
            cancellationToken);
    }
}
