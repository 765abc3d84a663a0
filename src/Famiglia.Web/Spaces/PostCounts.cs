using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.Spaces;

/// <summary>
/// Posts per group and type (<c>PostCounts</c>), kept in step with <c>Posts</c> by triggers that the provider's first
/// migration creates, so the feed's <c>total</c> is one key lookup instead of counting every post of the group on each
/// request.
/// </summary>
internal static class PostCounts
{
    /// <summary>The group's posts, of one type or of all.</summary>
    public static Task<int> OfAsync(FamigliaDbContext context, string groupId, PostType? type, CancellationToken cancellationToken)
    {
        // The same SQL on SQLite and PostgreSQL (quoted identifiers, SUM cast back from bigint).
        if (type is null)
        {
            return context.Database
                .SqlQuery<int>($"""SELECT CAST(COALESCE(SUM("Count"), 0) AS integer) AS "Value" FROM "PostCounts" WHERE "GroupId" = {groupId}""")
                .SingleAsync(cancellationToken);
        }

        var typeName = type.Value.ToString();
        return context.Database
            .SqlQuery<int>($"""SELECT CAST(COALESCE(SUM("Count"), 0) AS integer) AS "Value" FROM "PostCounts" WHERE "GroupId" = {groupId} AND "Type" = {typeName}""")
            .SingleAsync(cancellationToken);
    }
}
