using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Spaces;

/// <summary>
/// What the feed needs before it reads a page: the number of the group's posts (of one type or of all) from
/// <c>PostCounts</c>, and the group's feed version from <c>FeedVersions</c>. Both are kept by triggers that the
/// migrations create, so this is two key lookups instead of counting every post of the group on each request.
/// </summary>
internal static class PostCounts
{
    /// <summary>The group's posts, of one type or of all, and its feed version (0 before its first post).</summary>
    public static Task<FeedState> OfAsync(FamigliaDbContext context, string groupId, PostType? type, CancellationToken cancellationToken)
    {
        // The same SQL on SQLite and PostgreSQL (quoted identifiers, SUM cast back from bigint).
        if (type is null)
        {
            return context.Database
                .SqlQuery<FeedState>($"""
                    SELECT CAST(COALESCE((SELECT SUM("Count") FROM "PostCounts" WHERE "GroupId" = {groupId}), 0) AS integer) AS "Total",
                           CAST(COALESCE((SELECT "Version" FROM "FeedVersions" WHERE "GroupId" = {groupId}), 0) AS bigint) AS "Version"
                    """)
                .SingleAsync(cancellationToken);
        }

        var typeName = type.Value.ToString();
        return context.Database
            .SqlQuery<FeedState>($"""
                SELECT CAST(COALESCE((SELECT SUM("Count") FROM "PostCounts" WHERE "GroupId" = {groupId} AND "Type" = {typeName}), 0) AS integer) AS "Total",
                       CAST(COALESCE((SELECT "Version" FROM "FeedVersions" WHERE "GroupId" = {groupId}), 0) AS bigint) AS "Version"
                """)
            .SingleAsync(cancellationToken);
    }
}

/// <summary>The feed's <c>total</c> and the version of the group's feed, read before a page (see <c>FeedPageCache</c>).</summary>
internal sealed record FeedState(int Total, long Version);
